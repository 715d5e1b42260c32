//! Offset paging behind an opaque-looking skip token, as ARM (`nextLink`) and Graph
//! (`@odata.nextLink`) page their lists.

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
}
