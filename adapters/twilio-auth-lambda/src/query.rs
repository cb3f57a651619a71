//! Rebuilding a query string that the event only carries as parsed parameters (REST v1,
//! ALB): the order of the names and the encoding the client used are lost, so every order
//! of a few names is tried, each in the two encodings a URL builder commonly uses (`+` or
//! `%20` for a space). With more names than [`MAX_NAMES`] only the sorted order is tried,
//! and a request whose query string was built otherwise cannot be verified.

/// The most parameter names whose every order is tried (5! = 120 orders, × 2 encodings).
pub(crate) const MAX_NAMES: usize = 5;

/// The query strings that the parameters could have been sent as, the sorted order first.
pub(crate) fn candidates(params: &[(String, Vec<String>)]) -> Vec<String> {
    let mut orders = Vec::new();
    let mut indices: Vec<usize> = (0..params.len()).collect();
    if params.len() <= MAX_NAMES {
        permutations(&mut indices, 0, &mut orders);
    } else {
        orders.push(indices);
    }
    let mut out = Vec::with_capacity(orders.len() * 2);
    for space_as_plus in [true, false] {
        for order in &orders {
            let query = encode(order.iter().map(|&i| &params[i]), space_as_plus);
            if !out.contains(&query) {
                out.push(query);
            }
        }
    }
    out
}

/// Every order of `indices[from..]` (Heap's algorithm would not keep the first one sorted).
fn permutations(indices: &mut Vec<usize>, from: usize, out: &mut Vec<Vec<usize>>) {
    if from == indices.len() {
        out.push(indices.clone());
        return;
    }
    for i in from..indices.len() {
        indices[from..=i].rotate_right(1);
        permutations(indices, from + 1, out);
        indices[from..=i].rotate_left(1);
    }
}

fn encode<'a>(
    params: impl Iterator<Item = &'a (String, Vec<String>)>,
    space_as_plus: bool,
) -> String {
    let component = |text: &str| {
        let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
        if space_as_plus {
            encoded
        } else {
            encoded.replace('+', "%20")
        }
    };
    let mut query = String::new();
    for (name, values) in params {
        for value in values {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&component(name));
            query.push('=');
            query.push_str(&component(value));
        }
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(names: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        names
            .iter()
            .map(|(n, vs)| (n.to_string(), vs.iter().map(|v| v.to_string()).collect()))
            .collect()
    }

    #[test]
    fn every_order_and_both_space_encodings_the_sorted_order_first() {
        let all = candidates(&params(&[("a", &["1 2"]), ("b", &["x", "y"])]));
        assert_eq!(
            all,
            [
                "a=1+2&b=x&b=y",
                "b=x&b=y&a=1+2",
                "a=1%202&b=x&b=y",
                "b=x&b=y&a=1%202"
            ]
        );
        let five: Vec<_> = (0..5)
            .map(|i| (format!("n{i}"), vec!["v".into()]))
            .collect();
        assert_eq!(candidates(&five).len(), 120);
    }

    #[test]
    fn beyond_the_limit_only_the_sorted_order_is_tried() {
        let six: Vec<_> = (0..6)
            .map(|i| (format!("n{i}"), vec!["a b".into()]))
            .collect();
        assert_eq!(
            candidates(&six),
            [
                "n0=a+b&n1=a+b&n2=a+b&n3=a+b&n4=a+b&n5=a+b",
                "n0=a%20b&n1=a%20b&n2=a%20b&n3=a%20b&n4=a%20b&n5=a%20b"
            ]
        );
    }
}
