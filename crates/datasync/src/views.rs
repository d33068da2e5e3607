//! What list calls share: DataSync's filter operators and its paging.

use landbridge_api::ApiError;
use landbridge_api::datasync::Operator;

use crate::errors;

/// Whether `value` passes a filter. Creation times compare as numbers
/// (seconds since the epoch); everything else as text.
pub fn filter_matches(value: &str, op: Operator, values: &[String], numeric: bool) -> Result<bool, ApiError> {
    let first = values
        .first()
        .ok_or_else(|| errors::invalid("A filter needs at least one value"))?;
    if numeric {
        let parse = |v: &str| {
            v.parse::<f64>()
                .map_err(|_| errors::invalid(format!("Invalid CreationTime filter value: {v}")))
        };
        // Stored in milliseconds, compared in seconds.
        let mine = parse(value)? / 1000.0;
        let theirs = parse(first)?;
        return Ok(match op {
            Operator::Equals => mine == theirs,
            Operator::NotEquals => mine != theirs,
            Operator::LessThan => mine < theirs,
            Operator::LessThanOrEqual => mine <= theirs,
            Operator::GreaterThan => mine > theirs,
            Operator::GreaterThanOrEqual => mine >= theirs,
            _ => {
                return Err(errors::invalid(format!(
                    "Operator {} is not valid for CreationTime",
                    op.as_str()
                )));
            }
        });
    }
    Ok(match op {
        Operator::Equals => value == first,
        Operator::NotEquals => value != first,
        Operator::In => values.iter().any(|v| v == value),
        Operator::Contains => value.contains(first.as_str()),
        Operator::NotContains => !value.contains(first.as_str()),
        Operator::BeginsWith => value.starts_with(first.as_str()),
        _ => {
            return Err(errors::invalid(format!(
                "Operator {} is not valid for this filter",
                op.as_str()
            )));
        }
    })
}

/// One page of `items` after `token` (an offset this function issued).
pub fn page<T>(items: Vec<T>, max: Option<i32>, token: Option<&str>) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match token {
        Some(t) => t
            .parse::<usize>()
            .map_err(|_| errors::invalid("Invalid pagination token"))?,
        None => 0,
    };
    let max = usize::try_from(max.unwrap_or(100)).unwrap_or(100).clamp(1, 100);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(max).collect();
    let next = (start + max < total).then(|| (start + max).to_string());
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn text_and_time_operators() {
        assert!(filter_matches("s3://b/x/", Operator::BeginsWith, &v(&["s3://b"]), false).unwrap());
        assert!(filter_matches("S3", Operator::In, &v(&["NFS", "S3"]), false).unwrap());
        assert!(!filter_matches("S3", Operator::NotEquals, &v(&["S3"]), false).unwrap());
        // Stored milliseconds against seconds.
        assert!(filter_matches("1700000000500", Operator::GreaterThan, &v(&["1700000000"]), true).unwrap());
        assert!(filter_matches("S3", Operator::LessThan, &v(&["x"]), false).is_err());
        assert!(filter_matches("S3", Operator::Equals, &[], false).is_err());
    }

    #[test]
    fn pages_carry_an_offset() {
        let (first, next) = page((0..5).collect::<Vec<_>>(), Some(2), None).unwrap();
        assert_eq!((first, next.as_deref()), (vec![0, 1], Some("2")));
        let (last, next) = page((0..5).collect::<Vec<_>>(), Some(2), Some("4")).unwrap();
        assert_eq!((last, next), (vec![4], None));
        assert!(page(vec![1], None, Some("x")).is_err());
    }
}
