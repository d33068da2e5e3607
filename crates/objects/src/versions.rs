//! Versions of a key, as S3 keeps them: a stack, newest first. The top of
//! the stack is what reads and listings see, unless it is a delete marker.
//! A bucket that was never versioned holds one version per key, the `null`
//! version; while versioning is suspended, writes and deletes replace the
//! `null` version wherever it sits and keep the others.

use landbridge_store::Mutation;

use crate::model::Versioning;
use crate::{ObjectError, ObjectRec, Objects, now_ms, put, version_key};

/// A key's versions, newest first; never empty while the key exists.
pub(crate) type Stack = Vec<ObjectRec>;

/// Puts `rec` on top; a `null` version replaces the `null` version already
/// in the stack, which is returned so its bytes can go.
pub(crate) fn push(stack: &mut Stack, rec: ObjectRec) -> Option<ObjectRec> {
    let replaced = match rec.version_id {
        None => stack
            .iter()
            .position(|v| v.version_id.is_none())
            .map(|i| stack.remove(i)),
        Some(_) => None,
    };
    stack.insert(0, rec);
    replaced
}

/// The position of the version `id` names (`"null"`: the null version).
pub(crate) fn find(stack: &Stack, id: &str) -> Option<usize> {
    stack.iter().position(|v| v.version_label() == id)
}

/// The current object: the newest version, unless it is a delete marker.
pub(crate) fn current(stack: &Stack) -> Option<&ObjectRec> {
    stack.first().filter(|v| !v.delete_marker)
}

/// A new version id: 32 characters, opaque, as S3's are.
pub(crate) fn new_version_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// What a delete did, for S3's `x-amz-version-id` and
/// `x-amz-delete-marker` answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deleted {
    /// The version removed, or the delete marker created (`null` for the
    /// null version); `None` when an unversioned bucket lost its object.
    pub version_id: Option<String>,
    /// Whether the version removed, or the one created, is a delete marker.
    pub delete_marker: bool,
}

impl Objects {
    /// Sets the bucket's versioning state.
    pub async fn set_versioning(&self, bucket: &str, state: Versioning) -> Result<(), ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let b = buckets.get_mut(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let mut rec = b.rec.clone();
        rec.versioning = Some(state);
        let pending = self.store().enqueue(vec![put(crate::bucket_key(&rec), &rec)?])?;
        b.rec = rec;
        drop(buckets);
        pending.await?;
        Ok(())
    }

    /// The version `version` names, or with `None` the newest one; either
    /// may be a delete marker, for the caller to answer as S3 does.
    pub async fn head_version(&self, bucket: &str, key: &str, version: Option<&str>) -> Result<ObjectRec, ObjectError> {
        let buckets = self.inner.buckets.read().await;
        let b = buckets.get(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let stack = b.objects.get(key);
        match version {
            None => stack.and_then(|s| s.first()).cloned().ok_or(ObjectError::NoSuchKey),
            Some(id) => stack
                .and_then(|s| find(s, id).map(|i| s[i].clone()))
                .ok_or(ObjectError::NoSuchVersion),
        }
    }

    /// Deletes `bucket`/`key` as S3 does. Without a version: an unversioned
    /// bucket loses the object; a versioned one gains a delete marker (the
    /// `null` one while suspended, replacing the null version). With a
    /// version: that version goes for good (`NoSuchVersion` if there is no
    /// such version). Deleting a key that is not there succeeds.
    pub async fn delete(&self, bucket: &str, key: &str, version: Option<&str>) -> Result<Deleted, ObjectError> {
        let mut buckets = self.inner.buckets.write().await;
        let b = buckets.get_mut(bucket).ok_or(ObjectError::NoSuchBucket)?;
        let versioning = b.rec.versioning;
        let (deleted, batch, gone) = match (version, versioning) {
            (None, Some(state)) => {
                let mut marker = ObjectRec::delete_marker(bucket, key, now_ms());
                marker.version_id = (state == Versioning::Enabled).then(new_version_id);
                marker.seq = self.next_seq();
                let batch = vec![put(version_key(&b.rec, &marker), &marker)?];
                let stack = b.objects.entry(key.to_string()).or_default();
                let pending = self.store().enqueue(batch)?;
                let deleted = Deleted {
                    version_id: Some(marker.version_label().to_string()),
                    delete_marker: true,
                };
                let replaced = push(stack, marker);
                drop(buckets);
                pending.await?;
                if let Some(old) = replaced {
                    self.inner.blobs.remove_all(&old.blobs()).await;
                }
                return Ok(deleted);
            }
            (None, None) => {
                let Some(stack) = b.objects.get(key) else {
                    return Ok(Deleted::default());
                };
                let old = stack[0].clone();
                let batch = vec![Mutation::Delete(version_key(&b.rec, &old))];
                (Deleted::default(), batch, old)
            }
            (Some(id), _) => {
                // A null version that is not there is deleted already; any
                // other id must name a version.
                let Some(i) = b.objects.get(key).and_then(|s| find(s, id)) else {
                    return match id {
                        "null" => Ok(Deleted {
                            version_id: Some(id.to_string()),
                            delete_marker: false,
                        }),
                        _ => Err(ObjectError::NoSuchVersion),
                    };
                };
                let old = b.objects[key][i].clone();
                let batch = vec![Mutation::Delete(version_key(&b.rec, &old))];
                let deleted = Deleted {
                    version_id: Some(id.to_string()),
                    delete_marker: old.delete_marker,
                };
                (deleted, batch, old)
            }
        };
        let pending = self.store().enqueue(batch)?;
        if let Some(stack) = b.objects.get_mut(key) {
            stack.retain(|v| v.seq != gone.seq || v.version_id != gone.version_id);
            if stack.is_empty() {
                b.objects.remove(key);
            }
        }
        drop(buckets);
        pending.await?;
        self.inner.blobs.remove_all(&gone.blobs()).await;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: Option<&str>, seq: u64) -> ObjectRec {
        let mut r = ObjectRec::delete_marker("b", "k", 0);
        r.delete_marker = false;
        r.blob = format!("blob{seq}");
        r.version_id = id.map(str::to_string);
        r.seq = seq;
        r
    }

    fn labels(s: &Stack) -> Vec<&str> {
        s.iter().map(|v| v.version_label()).collect()
    }

    #[test]
    fn versioned_writes_stack_up_newest_first() {
        let mut s = Stack::new();
        assert!(push(&mut s, version(None, 1)).is_none());
        assert!(push(&mut s, version(Some("a"), 2)).is_none());
        assert!(push(&mut s, version(Some("b"), 3)).is_none());
        assert_eq!(labels(&s), ["b", "a", "null"]);
        assert_eq!(find(&s, "null"), Some(2));
        assert_eq!(current(&s).map(|v| v.seq), Some(3));
    }

    #[test]
    fn a_null_version_replaces_the_null_version_wherever_it_is() {
        let mut s = Stack::new();
        push(&mut s, version(None, 1));
        push(&mut s, version(Some("a"), 2));
        let replaced = push(&mut s, version(None, 3));
        assert_eq!(replaced.map(|v| v.seq), Some(1));
        assert_eq!(labels(&s), ["null", "a"]);
    }

    #[test]
    fn a_delete_marker_on_top_hides_the_object() {
        let mut s = Stack::new();
        push(&mut s, version(Some("a"), 1));
        let mut marker = ObjectRec::delete_marker("b", "k", 0);
        marker.version_id = Some("m".into());
        push(&mut s, marker);
        assert!(current(&s).is_none());
        assert!(s[0].blobs().is_empty());
    }
}
