//! Two walks in key order joined by key: each key once, with the source's
//! entry, the destination's, or both. Only the two current entries are
//! held.

use futures::StreamExt;

use super::sides::{Entry, SideError};
use super::walk::Walk;

struct Cursor<'a> {
    walk: Walk<'a>,
    head: Option<(String, Entry)>,
}

impl<'a> Cursor<'a> {
    async fn new(mut walk: Walk<'a>) -> Result<Self, SideError> {
        let head = walk.next().await.transpose()?;
        Ok(Self { walk, head })
    }

    /// The current entry, and the next one loaded in its place.
    async fn take(&mut self) -> Result<Option<(String, Entry)>, SideError> {
        let next = self.walk.next().await.transpose()?;
        if let (Some((before, _)), Some((after, _))) = (&self.head, &next)
            && after <= before
        {
            return Err(format!("a listing went out of order ({before:?} then {after:?})"));
        }
        Ok(std::mem::replace(&mut self.head, next))
    }
}

pub struct Join<'a> {
    src: Cursor<'a>,
    dst: Cursor<'a>,
}

/// A key, with what the source and the destination have there.
pub type Joined = (String, Option<Entry>, Option<Entry>);

impl<'a> Join<'a> {
    pub async fn new(src: Walk<'a>, dst: Walk<'a>) -> Result<Self, SideError> {
        Ok(Self {
            src: Cursor::new(src).await?,
            dst: Cursor::new(dst).await?,
        })
    }

    pub async fn next(&mut self) -> Result<Option<Joined>, SideError> {
        let order = match (&self.src.head, &self.dst.head) {
            (None, None) => return Ok(None),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((s, _)), Some((d, _))) => s.cmp(d),
        };
        Ok(match order {
            std::cmp::Ordering::Less => self.src.take().await?.map(|(k, s)| (k, Some(s), None)),
            std::cmp::Ordering::Greater => self.dst.take().await?.map(|(k, d)| (k, None, Some(d))),
            std::cmp::Ordering::Equal => {
                let d = self.dst.take().await?.map(|(_, d)| d);
                self.src.take().await?.map(|(k, s)| (k, Some(s), d))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::posix::Kind;
    use futures::stream;

    fn walk(keys: &[&str]) -> Walk<'static> {
        let items: Vec<Result<(String, Entry), SideError>> = keys
            .iter()
            .map(|k| {
                Ok((
                    k.to_string(),
                    Entry {
                        kind: Kind::File,
                        size: 0,
                        posix: None,
                        object: None,
                    },
                ))
            })
            .collect();
        stream::iter(items).boxed()
    }

    #[tokio::test]
    async fn joins_by_key_in_order() {
        let mut j = Join::new(walk(&["a", "b", "d"]), walk(&["b", "c", "d", "e"]))
            .await
            .unwrap();
        let mut out = Vec::new();
        while let Some((k, s, d)) = j.next().await.unwrap() {
            out.push((k, s.is_some(), d.is_some()));
        }
        let expect = [
            ("a", true, false),
            ("b", true, true),
            ("c", false, true),
            ("d", true, true),
            ("e", false, true),
        ];
        assert_eq!(out, expect.map(|(k, s, d)| (k.to_string(), s, d)));
    }

    #[tokio::test]
    async fn a_listing_out_of_order_is_an_error() {
        let mut j = Join::new(walk(&["b", "a"]), walk(&[])).await.unwrap();
        assert!(j.next().await.is_err());
    }
}
