//! Offset paging behind an opaque-looking skip token, as ARM (`nextLink`) and Graph
//! (`@odata.nextLink`) page their lists, and the opaque tokens of AWS lists (EKS `nextToken`,
//! IAM `Marker`, EC2 `NextToken`).

/// One page of `items` starting at `skip`, and the offset of the next page if any.
pub fn page<T>(items: &[T], skip: usize, size: usize) -> (&[T], Option<usize>) {
    let size = size.max(1);
    let start = skip.min(items.len());
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then_some(end);
    (&items[start..end], next)
}

/// 1-based page number of offset `skip`.
pub fn number(skip: usize, size: usize) -> u32 {
    u32::try_from(skip / size.max(1) + 1).unwrap_or(u32::MAX)
}

/// The skip token of a request (`$skipToken=N`, `%24skipToken=N`, or `$skiptoken=N`).
/// `Err` when present but not one of ours.
pub fn skip_token(query: &[(String, String)]) -> Result<usize, String> {
    match query.iter().find(|(k, _)| k.eq_ignore_ascii_case("$skipToken")) {
        None => Ok(0),
        Some((_, v)) => v.parse().map_err(|_| format!("The skip token '{v}' is not valid.")),
    }
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// An opaque-looking token for offset `skip` of list `list` (URL-safe base64 of
/// `kubeposture-mock/{list}/{skip}`), so a token of one list is not accepted by another.
pub fn encode_token(list: &str, skip: usize) -> String {
    let plain = format!("kubeposture-mock/{list}/{skip}");
    let mut out = String::new();
    for chunk in plain.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The offset behind a token of list `list`; `None` when it is not one of ours.
pub fn decode_token(list: &str, token: &str) -> Option<usize> {
    let mut bytes = Vec::new();
    for chunk in token.as_bytes().chunks(4) {
        if chunk.len() < 2 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            bytes.push((n >> (16 - 8 * i)) as u8);
        }
    }
    let plain = String::from_utf8(bytes).ok()?;
    plain.strip_prefix("kubeposture-mock/")?.strip_prefix(list)?.strip_prefix('/')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once() {
        let items: Vec<u32> = (0..7).collect();
        let mut skip = 0;
        let mut seen = vec![];
        loop {
            let (p, next) = page(&items, skip, 3);
            seen.extend_from_slice(p);
            match next {
                Some(n) => skip = n,
                None => break,
            }
        }
        assert_eq!(seen, items);
        assert_eq!(page(&items, 100, 3).0.len(), 0);
        assert_eq!(number(6, 3), 3);
    }

    #[test]
    fn tokens_round_trip_per_list() {
        for skip in [0, 1, 2, 17, 100, 12345] {
            let t = encode_token("iam:ListRoles", skip);
            assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{t}");
            assert_eq!(decode_token("iam:ListRoles", &t), Some(skip));
            assert_eq!(decode_token("eks:ListClusters", &t), None);
        }
        assert_eq!(decode_token("iam:ListRoles", "garbage!"), None);
        assert_eq!(decode_token("iam:ListRoles", ""), None);
        assert_eq!(decode_token("iam:ListRoles", "2"), None);
    }
}
