//! `MaxResults`/`NextToken` pagination. Items are listed in id order; the
//! token is the id of the first item of the next page, so a page boundary
//! stays put even when earlier items are deleted between calls.

use landbridge_api::ApiError;

use crate::errors;

/// One page of `items` (already in id order, paired with their ids).
pub fn page<T>(
    items: Vec<(String, T)>,
    max_results: Option<i32>,
    next_token: Option<String>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match next_token.as_deref() {
        None | Some("") => 0,
        Some(token) => {
            let Some(after) = decode(token) else {
                return Err(errors::invalid(format!("Invalid NextToken value: {token}")));
            };
            items.partition_point(|(id, _)| id.as_str() < after.as_str())
        }
    };
    let limit = match max_results {
        Some(n) if n > 0 => n as usize,
        _ => usize::MAX,
    };
    let mut rest = items.into_iter().skip(start);
    let out: Vec<(String, T)> = rest.by_ref().take(limit).collect();
    let next = rest.next().map(|(id, _)| encode(&id));
    Ok((out.into_iter().map(|(_, v)| v).collect(), next))
}

// Tokens are opaque to clients; hex keeps them URL- and XML-safe.
fn encode(id: &str) -> String {
    id.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode(token: &str) -> Option<String> {
    if !token.len().is_multiple_of(2) || token.len() > 512 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (format!("id-{i:03}"), i)).collect()
    }

    #[test]
    fn walks_every_item_once() {
        let mut token = None;
        let mut seen = Vec::new();
        for _ in 0..10 {
            let (got, next) = page(items(12), Some(5), token).unwrap();
            seen.extend(got);
            token = next;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn no_limit_means_one_page() {
        let (got, next) = page(items(3), None, None).unwrap();
        assert_eq!(got.len(), 3);
        assert!(next.is_none());
    }

    #[test]
    fn garbage_tokens_are_refused() {
        assert!(page(items(3), Some(5), Some("zz".into())).is_err());
        assert!(page(items(3), Some(5), Some("abc".into())).is_err());
    }
}
