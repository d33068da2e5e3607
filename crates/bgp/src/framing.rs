//! Splitting the byte stream into messages. The header is checked before
//! a message is waited for, so that a bad marker or a length outside
//! 19..=4096 is answered at once instead of waiting for bytes that never
//! come; the message itself is then read by `netgauze-bgp-pkt`.

use std::collections::HashMap;

use bytes::BytesMut;
use netgauze_bgp_pkt::BgpMessage;
use netgauze_bgp_pkt::codec::{BgpCodec, BgpCodecDecoderError};
use netgauze_bgp_pkt::wire::deserializer::{BgpParsingContext, BgpParsingIgnoredErrors};
use tokio_util::codec::Decoder;

use crate::notification::{MESSAGE_HEADER_ERROR, Notification};

const HEADER_LEN: usize = 19;
const MAX_LEN: usize = 4096;
const NOTIFICATION: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The message cannot be accepted; the NOTIFICATION to send.
    #[error("{1}")]
    Refused(Notification, String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One message off the wire.
#[derive(Debug)]
pub enum Frame {
    Message(BgpMessage, BgpParsingIgnoredErrors),
    /// A NOTIFICATION, read here rather than by the codec, which refuses
    /// codes it does not know; whatever the peer's reason, it ends the
    /// session and must not be answered.
    Notification(Notification),
}

pub struct Framing {
    codec: BgpCodec,
}

impl Default for Framing {
    fn default() -> Self {
        // Attribute and capability errors are collected, not fatal, so that
        // UPDATE errors can be handled as RFC 7606 says (`update::read`).
        let ctx = BgpParsingContext::new(true, HashMap::new(), HashMap::new(), false, false, false, false);
        Self {
            codec: BgpCodec::new_from_ctx(true, ctx),
        }
    }
}

impl Decoder for Framing {
    type Item = Frame;
    type Error = FrameError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, FrameError> {
        if buf.len() < HEADER_LEN {
            return Ok(None);
        }
        if buf[..16].iter().any(|b| *b != 0xff) {
            return Err(FrameError::Refused(
                Notification::new(MESSAGE_HEADER_ERROR, 1),
                "the message marker is not all ones".into(),
            ));
        }
        let len = usize::from(u16::from_be_bytes([buf[16], buf[17]]));
        if !(HEADER_LEN..=MAX_LEN).contains(&len) {
            return Err(FrameError::Refused(
                Notification {
                    code: MESSAGE_HEADER_ERROR,
                    subcode: 2,
                    data: buf[16..18].to_vec(),
                },
                format!("bad message length {len}"),
            ));
        }
        if buf[18] == NOTIFICATION && len >= HEADER_LEN + 2 {
            if buf.len() < len {
                return Ok(None);
            }
            let frame = buf.split_to(len);
            return Ok(Some(Frame::Notification(Notification {
                code: frame[19],
                subcode: frame[20],
                data: frame[21..].to_vec(),
            })));
        }
        match self.codec.decode(buf) {
            Ok(m) => Ok(m.map(|(msg, ignored)| Frame::Message(msg, ignored))),
            Err(BgpCodecDecoderError::BgpMessageParsingError(e)) => {
                Err(FrameError::Refused(Notification::for_decode_error(&e), e.to_string()))
            }
            Err(BgpCodecDecoderError::Incomplete(_)) => Ok(None),
            Err(BgpCodecDecoderError::IoError(e)) => Err(FrameError::Io(std::io::Error::other(e.to_string()))),
        }
    }
}

/// Reads every message in `data` as a session would, reading each UPDATE
/// too; stops at the first refused one. For the fuzz target.
pub fn read_all(data: &[u8]) -> Vec<Result<crate::RouteChanges, Notification>> {
    let mut framing = Framing::default();
    let mut buf = BytesMut::from(data);
    let mut out = Vec::new();
    loop {
        match framing.decode(&mut buf) {
            Ok(Some(Frame::Message(BgpMessage::Update(u), ignored))) => {
                out.push(crate::update::read(&u, &ignored, 65000, 64512))
            }
            Ok(Some(_)) => {}
            Ok(None) => return out,
            Err(FrameError::Refused(n, _)) => {
                out.push(Err(n));
                return out;
            }
            Err(FrameError::Io(_)) => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_length_is_refused_before_its_bytes_arrive() {
        let mut header = vec![0xff; 16];
        header.extend_from_slice(&5000u16.to_be_bytes());
        header.push(4);
        let r = read_all(&header);
        assert_eq!(
            r,
            vec![Err(Notification {
                code: 1,
                subcode: 2,
                data: vec![0x13, 0x88]
            })]
        );
    }

    #[test]
    fn a_notification_with_a_code_the_codec_does_not_know_is_still_read() {
        let mut data = vec![0xff; 16];
        data.extend_from_slice(&[0, 21, 3, 6, 0]);
        let mut framing = Framing::default();
        let mut buf = BytesMut::from(&data[..]);
        match framing.decode(&mut buf) {
            Ok(Some(Frame::Notification(n))) => assert_eq!((n.code, n.subcode), (6, 0)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_keepalive_then_half_a_message_waits() {
        let mut data = vec![0xff; 16];
        data.extend_from_slice(&[0, 19, 4]);
        data.extend_from_slice(&[0xff; 10]);
        assert!(read_all(&data).is_empty());
    }
}
