//! `aws-chunked` bodies (`x-amz-content-sha256: STREAMING-...`): SDKs that
//! sign each chunk, or append trailing checksums, frame the payload as
//! `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0...\r\n[trailers]\r\n`.
//! Landbridge does not verify signatures by default, so it strips the
//! framing itself and hands s3s a plain body.

use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};

/// The longest chunk header line accepted (size, extensions, signature).
const MAX_HEADER: usize = 4096;

enum State {
    Header,
    Data(u64),
    DataEnd,
    Done,
}

#[derive(Debug)]
pub struct ChunkError(pub String);

impl std::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed aws-chunked body: {}", self.0)
    }
}

impl std::error::Error for ChunkError {}

/// Decodes an aws-chunked `body` into its payload bytes.
pub fn decode<S, E>(body: S) -> impl Stream<Item = Result<Bytes, ChunkError>> + Send + 'static
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin + 'static,
    E: std::fmt::Display,
{
    futures::stream::unfold(
        (body, BytesMut::new(), State::Header),
        |(mut body, mut buf, mut state)| async move {
            loop {
                match state {
                    State::Done => return None,
                    State::Header => {
                        if let Some(pos) = buf.windows(2).position(|w| w == b"\r\n") {
                            let line = buf.split_to(pos);
                            buf.advance(2);
                            let size_text: &[u8] = line.as_ref().split(|b: &u8| *b == b';').next().unwrap_or_default();
                            let size = std::str::from_utf8(size_text)
                                .ok()
                                .and_then(|s| u64::from_str_radix(s.trim(), 16).ok());
                            match size {
                                // The last chunk; trailers (checksums) follow and are dropped.
                                Some(0) => state = State::Done,
                                Some(n) => state = State::Data(n),
                                None => {
                                    return Some((Err(ChunkError("bad chunk size".into())), (body, buf, State::Done)));
                                }
                            }
                            continue;
                        }
                        if buf.len() > MAX_HEADER {
                            return Some((
                                Err(ChunkError("chunk header too long".into())),
                                (body, buf, State::Done),
                            ));
                        }
                    }
                    State::Data(remaining) => {
                        if !buf.is_empty() {
                            let take = buf.len().min(usize::try_from(remaining).unwrap_or(usize::MAX));
                            let out = buf.split_to(take).freeze();
                            let left = remaining - take as u64;
                            let next = if left == 0 { State::DataEnd } else { State::Data(left) };
                            return Some((Ok(out), (body, buf, next)));
                        }
                    }
                    State::DataEnd => {
                        if buf.len() >= 2 {
                            if &buf[..2] != b"\r\n" {
                                return Some((
                                    Err(ChunkError("missing CRLF after chunk".into())),
                                    (body, buf, State::Done),
                                ));
                            }
                            buf.advance(2);
                            state = State::Header;
                            continue;
                        }
                    }
                }
                match body.next().await {
                    Some(Ok(bytes)) => buf.extend_from_slice(&bytes),
                    Some(Err(e)) => return Some((Err(ChunkError(e.to_string())), (body, buf, State::Done))),
                    None => return Some((Err(ChunkError("body ended mid-chunk".into())), (body, buf, State::Done))),
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[u8], split: usize) -> Result<Vec<u8>, String> {
        let parts: Vec<Result<Bytes, std::convert::Infallible>> =
            input.chunks(split).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        let mut s = Box::pin(decode(futures::stream::iter(parts)));
        let mut out = Vec::new();
        while let Some(c) = s.next().await {
            out.extend_from_slice(&c.map_err(|e| e.to_string())?);
        }
        Ok(out)
    }

    #[tokio::test]
    async fn decodes_signed_and_trailer_framing_at_any_split() {
        let signed =
            b"5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\n\r\n";
        let trailer = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        for split in [1, 2, 3, 7, 100] {
            assert_eq!(run(signed, split).await.unwrap(), b"hello world");
            assert_eq!(run(trailer, split).await.unwrap(), b"hello world");
        }
    }

    #[tokio::test]
    async fn refuses_broken_framing() {
        assert!(run(b"zz\r\nhello\r\n", 4).await.is_err());
        assert!(run(b"5\r\nhel", 4).await.is_err());
        assert!(run(b"5\r\nhelloXX0\r\n\r\n", 4).await.is_err());
        assert!(run(&[b'1'; 5000], 100).await.is_err());
    }
}
