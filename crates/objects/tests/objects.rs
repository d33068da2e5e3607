//! The object layer against a real directory and SQLite store: what is
//! written reads back, survives reopening, and leaves no stray files.

use std::convert::Infallible;

use bytes::Bytes;
use futures::StreamExt;
use landbridge_objects::{ListQuery, ObjectError, Objects, PutOptions, Versioning, VersionsQuery};
use landbridge_store::{BlobId, Mutation, SqliteBackend, Store, SyncMode};

fn body(data: &[u8]) -> impl futures::Stream<Item = Result<Bytes, Infallible>> + Unpin {
    let chunks: Vec<Result<Bytes, Infallible>> = data.chunks(1000).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    futures::stream::iter(chunks)
}

async fn open_with_store(dir: &std::path::Path) -> (Objects, Store) {
    let backend = SqliteBackend::open(&dir.join("state.db"), SyncMode::Normal).unwrap();
    let (store, records) = Store::start(Box::new(backend)).unwrap();
    let objects = Objects::open(dir.join("objects"), store.clone(), records)
        .await
        .unwrap();
    (objects, store)
}

async fn open(dir: &std::path::Path) -> Objects {
    open_with_store(dir).await.0
}

async fn read_all(o: &Objects, bucket: &str, key: &str, range: Option<std::ops::Range<u64>>) -> Vec<u8> {
    let rec = o.head(bucket, key).await.unwrap();
    let range = range.unwrap_or(0..rec.size);
    let mut s = Box::pin(o.read(&rec, range).await.unwrap());
    let mut out = Vec::new();
    while let Some(c) = s.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// Bodies kept in the store (those of at most 64 KiB).
fn count_inline(store: &Store) -> usize {
    store.blob_ids("s3").unwrap().len()
}

#[tokio::test]
async fn objects_round_trip_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    {
        let (o, store) = open_with_store(dir.path()).await;
        o.create_bucket("000000000000", "us-east-1", "b").await.unwrap();
        let opts = PutOptions {
            content_type: Some("text/plain".into()),
            metadata: [("k".to_string(), "v".to_string())].into(),
            ..Default::default()
        };
        let rec = o.put("b", "dir/file.txt", body(&data), opts).await.unwrap();
        assert_eq!(rec.size, 100_000);
        assert_eq!(
            (count_files(&dir.path().join("objects/blobs")), count_inline(&store)),
            (1, 0)
        );
        assert_eq!(rec.etag.len(), 32);
        assert_eq!(read_all(&o, "b", "dir/file.txt", None).await, data);
        assert_eq!(read_all(&o, "b", "dir/file.txt", Some(10..20)).await, data[10..20]);
        // Overwriting replaces the blob; the old one is removed. A short
        // body lives in the store, committed with its record.
        o.put("b", "dir/file.txt", body(b"short"), PutOptions::default())
            .await
            .unwrap();
        assert_eq!(
            (count_files(&dir.path().join("objects/blobs")), count_inline(&store)),
            (0, 1)
        );
    }
    let (o, store) = open_with_store(dir.path()).await;
    assert_eq!(read_all(&o, "b", "dir/file.txt", None).await, b"short");
    assert_eq!(read_all(&o, "b", "dir/file.txt", Some(1..3)).await, b"ho");
    assert!(matches!(o.head("b", "nope").await, Err(ObjectError::NoSuchKey)));
    assert!(matches!(o.delete_bucket("b").await, Err(ObjectError::BucketNotEmpty)));
    o.delete("b", "dir/file.txt", None).await.unwrap();
    o.delete_bucket("b").await.unwrap();
    assert_eq!(
        (count_files(&dir.path().join("objects/blobs")), count_inline(&store)),
        (0, 0)
    );
}

#[tokio::test]
async fn bodies_up_to_64_kib_stay_in_the_store_and_larger_ones_in_files() {
    let dir = tempfile::tempdir().unwrap();
    let (o, store) = open_with_store(dir.path()).await;
    o.create_bucket("000000000000", "us-east-1", "b").await.unwrap();
    let edge: Vec<u8> = (0..65_536u32).map(|i| (i % 253) as u8).collect();
    let over: Vec<u8> = (0..65_537u32).map(|i| (i % 241) as u8).collect();
    o.put("b", "edge", body(&edge), PutOptions::default()).await.unwrap();
    o.put("b", "over", body(&over), PutOptions::default()).await.unwrap();
    o.put("b", "empty", body(b""), PutOptions::default()).await.unwrap();
    assert_eq!(
        (count_files(&dir.path().join("objects/blobs")), count_inline(&store)),
        (1, 2)
    );
    // Copies follow the same rule, in both directions of size.
    let src = o.head("b", "edge").await.unwrap();
    let copy = o.copy(&src, "b", "edge-copy", None, Default::default()).await.unwrap();
    assert_eq!(copy.etag, src.etag);
    let big = o.head("b", "over").await.unwrap();
    o.copy(&big, "b", "over-copy", None, Default::default()).await.unwrap();
    assert_eq!(
        (count_files(&dir.path().join("objects/blobs")), count_inline(&store)),
        (2, 3)
    );
    assert_eq!(read_all(&o, "b", "edge-copy", None).await, edge);
    assert_eq!(read_all(&o, "b", "over-copy", None).await, over);
    assert_eq!(read_all(&o, "b", "over", Some(65_530..65_537)).await, over[65_530..]);
    assert!(read_all(&o, "b", "empty", None).await.is_empty());
    for k in ["edge", "over", "empty", "edge-copy", "over-copy"] {
        o.delete("b", k, None).await.unwrap();
    }
    assert_eq!(
        (count_files(&dir.path().join("objects/blobs")), count_inline(&store)),
        (0, 0)
    );
}

#[tokio::test]
async fn leftovers_are_swept_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let o = open(dir.path()).await;
        o.create_bucket("000000000000", "us-east-1", "b").await.unwrap();
        o.put("b", "k", body(b"kept"), PutOptions::default()).await.unwrap();
    }
    // What a crash mid-write leaves: a temporary file and an unreferenced
    // blob; and what a crash between a delete and removing its bytes leaves.
    std::fs::write(dir.path().join("objects/tmp/partial"), b"half").unwrap();
    std::fs::write(dir.path().join("objects/blobs/orphan"), b"never committed").unwrap();
    {
        let backend = SqliteBackend::open(&dir.path().join("state.db"), SyncMode::Normal).unwrap();
        let (store, _) = Store::start(Box::new(backend)).unwrap();
        store
            .commit(vec![Mutation::PutBlob(BlobId::new("s3", 999), b"gone".to_vec())])
            .await
            .unwrap();
    }
    let (o, store) = open_with_store(dir.path()).await;
    assert_eq!(count_files(&dir.path().join("objects/tmp")), 0);
    assert_eq!(count_files(&dir.path().join("objects/blobs")), 0);
    assert_eq!(count_inline(&store), 1);
    assert_eq!(read_all(&o, "b", "k", None).await, b"kept");
    // New bodies get ids past every one seen, swept or not.
    o.put("b", "k2", body(b"new"), PutOptions::default()).await.unwrap();
    assert!(store.blob_ids("s3").unwrap().iter().any(|id| *id > 999));
}

#[tokio::test]
async fn multipart_uploads_complete_with_s3_etags() {
    let dir = tempfile::tempdir().unwrap();
    let o = open(dir.path()).await;
    o.create_bucket("000000000000", "us-east-1", "b").await.unwrap();
    let up = o.create_upload("b", "big", PutOptions::default()).await.unwrap();
    let p1 = vec![1u8; 5 * 1024 * 1024];
    let p2 = vec![2u8; 10];
    let e1 = o.upload_part("b", "big", &up.id, 1, body(&p1)).await.unwrap().etag;
    let e2 = o.upload_part("b", "big", &up.id, 2, body(&p2)).await.unwrap().etag;
    // A small part that is not last is refused.
    let small = o.create_upload("b", "small", PutOptions::default()).await.unwrap();
    let s1 = o.upload_part("b", "small", &small.id, 1, body(&p2)).await.unwrap().etag;
    let s2 = o.upload_part("b", "small", &small.id, 2, body(&p2)).await.unwrap().etag;
    assert!(matches!(
        o.complete_upload("b", "small", &small.id, &[(1, s1), (2, s2)]).await,
        Err(ObjectError::EntityTooSmall)
    ));
    assert!(matches!(
        o.complete_upload("b", "big", &up.id, &[(1, "wrong".into())]).await,
        Err(ObjectError::InvalidPart(_))
    ));
    let rec = o
        .complete_upload("b", "big", &up.id, &[(1, e1), (2, e2)])
        .await
        .unwrap();
    assert!(rec.etag.ends_with("-2"));
    let mut want = p1.clone();
    want.extend_from_slice(&p2);
    assert_eq!(read_all(&o, "b", "big", None).await, want);
    assert!(matches!(
        o.upload("b", "big", &up.id).await,
        Err(ObjectError::NoSuchUpload)
    ));
    o.abort_upload("b", "small", &small.id).await.unwrap();
    // The object keeps its two parts as pieces; the aborted upload's are gone.
    assert_eq!(count_files(&dir.path().join("objects/blobs")), 2);
    assert_eq!(
        read_all(&o, "b", "big", Some(5 * 1024 * 1024 - 3..5 * 1024 * 1024 + 4)).await,
        want[5 * 1024 * 1024 - 3..5 * 1024 * 1024 + 4]
    );
    let page = o
        .list(
            "b",
            &ListQuery {
                max_keys: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.objects.len(), 1);
}

#[tokio::test]
async fn versions_and_delete_markers_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2, marker);
    let stored = |store: &Store| count_files(&dir.path().join("objects/blobs")) + count_inline(store);
    {
        let (o, store) = open_with_store(dir.path()).await;
        o.create_bucket("000000000000", "us-east-1", "b").await.unwrap();
        // Written before versioning: the null version.
        o.put("b", "k", body(b"null"), PutOptions::default()).await.unwrap();
        o.set_versioning("b", Versioning::Enabled).await.unwrap();
        v1 = o.put("b", "k", body(b"one"), PutOptions::default()).await.unwrap();
        v2 = o.put("b", "k", body(b"two"), PutOptions::default()).await.unwrap();
        assert!(v1.version_id.is_some() && v1.version_id != v2.version_id);
        let d = o.delete("b", "k", None).await.unwrap();
        assert!(d.delete_marker);
        marker = d.version_id.unwrap();
        assert!(matches!(o.head("b", "k").await, Err(ObjectError::NoSuchKey)));
        // Every version keeps its bytes.
        assert_eq!(stored(&store), 3);
    }
    let (o, store) = open_with_store(dir.path()).await;
    let latest = o.head_version("b", "k", None).await.unwrap();
    assert!(latest.delete_marker);
    assert_eq!(latest.version_label(), marker);
    let old = o.head_version("b", "k", v1.version_id.as_deref()).await.unwrap();
    assert_eq!(old.etag, v1.etag);
    assert!(o.head_version("b", "k", Some("null")).await.is_ok());
    // Removing the marker brings the newest version back.
    o.delete("b", "k", Some(&marker)).await.unwrap();
    assert_eq!(read_all(&o, "b", "k", None).await, b"two");
    // Suspended: a write replaces the null version and keeps the others.
    o.set_versioning("b", Versioning::Suspended).await.unwrap();
    let s = o.put("b", "k", body(b"three"), PutOptions::default()).await.unwrap();
    assert_eq!(s.version_label(), "null");
    let page = o
        .list_versions(
            "b",
            &VersionsQuery {
                max_keys: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let labels: Vec<&str> = page.versions.iter().map(|v| v.rec.version_label()).collect();
    assert_eq!(
        labels,
        vec![
            "null",
            v2.version_id.as_deref().unwrap(),
            v1.version_id.as_deref().unwrap()
        ]
    );
    assert_eq!(stored(&store), 3);
    // A bucket with versions is not empty until every version is gone.
    for v in ["null", v1.version_label(), v2.version_label()] {
        assert!(matches!(o.delete_bucket("b").await, Err(ObjectError::BucketNotEmpty)));
        o.delete("b", "k", Some(v)).await.unwrap();
    }
    o.delete_bucket("b").await.unwrap();
    assert_eq!(stored(&store), 0);
}
