//! How much signature work one request may cause. A form's signature covers the candidate
//! URL *followed by* the parameters, so nothing is shared between candidates: each one
//! (and each secret, and each parameter ordering) costs an HMAC over the whole body. The
//! budget bounds that work by the size of the request itself, so that a forged request
//! costs at most a small constant times a valid one of the same size.

use std::cell::Cell;

/// A request may hash at most this many times its own signed string (the URL as rebuilt
/// and its parameters), counting each HMAC's fixed cost as [`HMAC_FIXED_COST`] bytes and
/// its URL twice, so that candidate URLs longer than the one rebuilt (`:443`,
/// `user:pass@`, `%27` for `'`) are paid for as well: that many candidates up to twice the
/// URL's length can be tried.
pub const SIGNATURE_WORK_FACTOR: usize = 8;

/// …or this many bytes, when that is more: a request without a body (a status callback,
/// a WebSocket handshake) may try every candidate URL for a few microseconds.
pub const MIN_SIGNATURE_WORK: usize = 4096;

/// The bytes an HMAC costs beyond its input: finishing the inner hash and the outer one
/// (about three compression blocks).
pub const HMAC_FIXED_COST: usize = 192;

/// A refusal's diagnosis ([`crate::Diagnosis`]) computes at most this many HMACs, on top
/// of those of the verification…
pub const MAX_DIAGNOSTIC_HMACS: usize = 8;

/// The signature work left for one request. Each attempt is paid for before it is made;
/// once the budget is spent, the remaining candidates are not tried.
pub(crate) struct SignatureBudget {
    total: usize,
    left: Cell<usize>,
    spent_out: Cell<bool>,
}

impl SignatureBudget {
    /// The budget of a request whose URL (as rebuilt) is `url_len` bytes and whose
    /// parameters add `params_len`.
    pub fn for_request(url_len: usize, params_len: usize) -> Self {
        let per_attempt = url_len
            .saturating_mul(2)
            .saturating_add(params_len)
            .saturating_add(HMAC_FIXED_COST);
        let total = SIGNATURE_WORK_FACTOR
            .saturating_mul(per_attempt)
            .max(MIN_SIGNATURE_WORK);
        SignatureBudget {
            total,
            left: Cell::new(total),
            spent_out: Cell::new(false),
        }
    }

    /// Pays for an HMAC over `len` bytes; `false` (and nothing paid) when that would
    /// exceed the budget.
    pub fn pay(&self, len: usize) -> bool {
        let cost = len.saturating_add(HMAC_FIXED_COST);
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                true
            }
            None => {
                self.spent_out.set(true);
                false
            }
        }
    }

    /// Whether an attempt was refused for lack of budget.
    pub fn ran_out(&self) -> bool {
        self.spent_out.get()
    }

    /// The bytes paid for so far (fixed costs included).
    pub fn spent(&self) -> usize {
        self.total - self.left.get()
    }
}

/// The work a refusal's diagnosis may add: at most [`MAX_DIAGNOSTIC_HMACS`], and no more
/// bytes than the refusal hashed already (or [`MIN_SIGNATURE_WORK`], when that is more),
/// so that a diagnosed refusal costs at most about twice an undiagnosed one, and a forged
/// request is no more of a CPU sink than before.
pub(crate) struct DiagnosticBudget {
    bytes_left: usize,
    hmacs_left: usize,
}

impl DiagnosticBudget {
    /// The budget after a refusal that hashed `spent` bytes.
    pub fn after(spent: usize) -> Self {
        DiagnosticBudget {
            bytes_left: spent.max(MIN_SIGNATURE_WORK),
            hmacs_left: MAX_DIAGNOSTIC_HMACS,
        }
    }

    /// Pays for an HMAC over `len` bytes; `false` (and nothing paid) when that would
    /// exceed the budget.
    pub fn pay(&mut self, len: usize) -> bool {
        let cost = len.saturating_add(HMAC_FIXED_COST);
        match (self.bytes_left.checked_sub(cost), self.hmacs_left) {
            (Some(left), 1..) => {
                self.bytes_left = left;
                self.hmacs_left -= 1;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_request_gets_its_factor_and_a_small_one_the_minimum() {
        // A 100-byte URL and 10,000 bytes of parameters: 8 candidates, even at twice
        // the URL's length, and no more.
        let large = SignatureBudget::for_request(100, 10_000);
        let paid = (0..100).take_while(|_| large.pay(200 + 10_000)).count();
        assert_eq!(paid, SIGNATURE_WORK_FACTOR);
        assert!(large.ran_out());

        let small = SignatureBudget::for_request(64, 0);
        assert!(!small.ran_out());
        let paid = (0..100).take_while(|_| small.pay(64)).count();
        assert_eq!(paid, MIN_SIGNATURE_WORK / (64 + HMAC_FIXED_COST));
        // Much longer candidates (a query of `'`s re-encoded `%27`) use it up sooner.
        let budget = SignatureBudget::for_request(1_000, 0);
        assert!(budget.pay(1_000));
        assert!(!budget.pay(SIGNATURE_WORK_FACTOR * 3_000));
        assert!(budget.pay(1_000), "a refused attempt costs nothing");
    }

    #[test]
    fn a_diagnosis_pays_at_most_the_refusals_bytes_and_eight_hmacs() {
        // A large forged form: the refusal hashed two HMACs of 64 KiB; the diagnosis may
        // hash as many bytes again, not more.
        let body = 64 * 1024;
        let spent = 2 * (body + 100 + HMAC_FIXED_COST);
        let mut large = DiagnosticBudget::after(spent);
        let paid = (0..100).take_while(|_| large.pay(body + 100)).count();
        assert_eq!(paid, 2);
        // A small request: the minimum, and at most eight HMACs however small.
        let mut small = DiagnosticBudget::after(300);
        let paid = (0..100).take_while(|_| small.pay(50)).count();
        assert_eq!(paid, MAX_DIAGNOSTIC_HMACS);
        let spent = SignatureBudget::for_request(10, 0);
        assert!(spent.pay(10));
        assert_eq!(spent.spent(), 10 + HMAC_FIXED_COST);
    }
}
