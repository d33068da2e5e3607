//! aws-chunked bodies split at fuzzer-chosen points: the decoder ends with
//! the payload or an error, never a panic or an endless loop.
#![no_main]

use bytes::Bytes;
use futures::StreamExt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((split, body)) = data.split_first() else {
        return;
    };
    let step = usize::from(*split).max(1);
    let chunks: Vec<Result<Bytes, std::convert::Infallible>> =
        body.chunks(step).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let mut decoded = Box::pin(landbridge_s3::chunked::decode(futures::stream::iter(chunks)));
    futures::executor::block_on(async {
        let mut total = 0usize;
        while let Some(item) = decoded.next().await {
            match item {
                Ok(b) => total += b.len(),
                Err(_) => break,
            }
        }
        assert!(total <= body.len());
    });
});
