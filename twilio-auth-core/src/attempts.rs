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

/// The signature work left for one request. Each attempt is paid for before it is made;
/// once the budget is spent, the remaining candidates are not tried.
pub(crate) struct SignatureBudget {
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
}
