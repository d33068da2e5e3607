//! NOTIFICATION messages (RFC 4271 §4.5, §6): the errors a session sends
//! before it closes, and the decoder's errors translated into them.

use netgauze_bgp_pkt::wire::deserializer::BgpMessageParsingError;
use netgauze_bgp_pkt::wire::deserializer::open::BgpOpenMessageParsingError;
use netgauze_bgp_pkt::wire::deserializer::update::BgpUpdateMessageParsingError;

use crate::fsm::State;

/// A NOTIFICATION's error code, subcode and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub code: u8,
    pub subcode: u8,
    pub data: Vec<u8>,
}

pub const MESSAGE_HEADER_ERROR: u8 = 1;
pub const OPEN_MESSAGE_ERROR: u8 = 2;
pub const UPDATE_MESSAGE_ERROR: u8 = 3;
pub const HOLD_TIMER_EXPIRED: u8 = 4;
pub const FSM_ERROR: u8 = 5;
pub const CEASE: u8 = 6;

impl Notification {
    pub fn new(code: u8, subcode: u8) -> Self {
        Self {
            code,
            subcode,
            data: Vec::new(),
        }
    }

    pub fn bad_peer_as() -> Self {
        Self::new(OPEN_MESSAGE_ERROR, 2)
    }

    pub fn bad_bgp_identifier() -> Self {
        Self::new(OPEN_MESSAGE_ERROR, 3)
    }

    pub fn unacceptable_hold_time() -> Self {
        Self::new(OPEN_MESSAGE_ERROR, 6)
    }

    pub fn hold_timer_expired() -> Self {
        Self::new(HOLD_TIMER_EXPIRED, 0)
    }

    /// An FSM error naming the state the message was unexpected in
    /// (RFC 6608).
    pub fn unexpected_message(state: State) -> Self {
        let subcode = match state {
            State::OpenSent => 1,
            State::OpenConfirm => 2,
            State::Established => 3,
            _ => 0,
        };
        Self::new(FSM_ERROR, subcode)
    }

    /// Cease, "Maximum Number of Prefixes Reached" (RFC 4486), with the
    /// AFI, SAFI and limit as its data.
    pub fn max_prefixes(afi: u16, safi: u8, limit: u32) -> Self {
        let mut data = afi.to_be_bytes().to_vec();
        data.push(safi);
        data.extend_from_slice(&limit.to_be_bytes());
        Self {
            code: CEASE,
            subcode: 1,
            data,
        }
    }

    pub fn admin_shutdown() -> Self {
        Self::new(CEASE, 2)
    }

    pub fn peer_deconfigured() -> Self {
        Self::new(CEASE, 3)
    }

    pub fn connection_rejected() -> Self {
        Self::new(CEASE, 5)
    }

    /// An UPDATE error that resets the session (RFC 7606 keeps this for
    /// errors that leave the message itself unreadable).
    pub fn malformed_attribute_list() -> Self {
        Self::new(UPDATE_MESSAGE_ERROR, 1)
    }

    /// The whole message on the wire.
    pub fn encode(&self) -> Vec<u8> {
        let len = 21 + self.data.len();
        let mut out = vec![0xff; 16];
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.push(3);
        out.push(self.code);
        out.push(self.subcode);
        out.extend_from_slice(&self.data);
        out
    }

    /// The NOTIFICATION a message the decoder refused deserves.
    pub fn for_decode_error(e: &BgpMessageParsingError) -> Self {
        use BgpMessageParsingError as E;
        match e {
            E::ConnectionNotSynchronized { .. } => Self::new(MESSAGE_HEADER_ERROR, 1),
            E::BadMessageLength { length, .. } => Self {
                code: MESSAGE_HEADER_ERROR,
                subcode: 2,
                data: length.to_be_bytes().to_vec(),
            },
            E::UndefinedBgpMessageType { code, .. } => Self {
                code: MESSAGE_HEADER_ERROR,
                subcode: 3,
                data: vec![*code],
            },
            E::BgpOpenMessageParsingError(open) => match open {
                BgpOpenMessageParsingError::UnsupportedVersionNumber { .. } => Self {
                    code: OPEN_MESSAGE_ERROR,
                    subcode: 1,
                    // The largest version we support.
                    data: 4u16.to_be_bytes().to_vec(),
                },
                BgpOpenMessageParsingError::UnacceptableHoldTime { .. } => Self::unacceptable_hold_time(),
                BgpOpenMessageParsingError::InvalidBgpId { .. } => Self::bad_bgp_identifier(),
                BgpOpenMessageParsingError::ParameterError(_) => Self::new(OPEN_MESSAGE_ERROR, 4),
                BgpOpenMessageParsingError::Parse(_) => Self::new(OPEN_MESSAGE_ERROR, 0),
            },
            E::BgpUpdateMessageParsingError(u) => match u {
                // A prefix that cannot be read: "Invalid Network Field".
                BgpUpdateMessageParsingError::Ipv4PrefixError(_)
                | BgpUpdateMessageParsingError::InvalidIpv4UnicastNetwork { .. } => Self::new(UPDATE_MESSAGE_ERROR, 10),
                _ => Self::malformed_attribute_list(),
            },
            E::BgpRouteRefreshMessageParsingError(_) => Self::new(7, 1),
            E::Parse(_) | E::UnparseableBytes { .. } | E::BgpNotificationMessageParsingError(_) => {
                Self::new(MESSAGE_HEADER_ERROR, 2)
            }
        }
    }

    /// Words for logs and status messages.
    pub fn describe(&self) -> String {
        let what = match (self.code, self.subcode) {
            (1, _) => "message header error",
            (2, 2) => "bad peer AS",
            (2, 3) => "bad BGP identifier",
            (2, 6) => "unacceptable hold time",
            (2, _) => "OPEN message error",
            (3, 10) => "invalid network field",
            (3, _) => "UPDATE message error",
            (4, _) => "hold timer expired",
            (5, _) => "finite state machine error",
            (6, 1) => "maximum number of prefixes reached",
            (6, 2) => "administrative shutdown",
            (6, 3) => "peer de-configured",
            (6, 5) => "connection rejected",
            (6, _) => "cease",
            (7, _) => "ROUTE-REFRESH message error",
            _ => "error",
        };
        format!("{what} ({}/{})", self.code, self.subcode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_header_code_subcode_and_data() {
        let bytes = Notification::max_prefixes(1, 1, 100).encode();
        assert_eq!(bytes.len(), 28);
        assert!(bytes[..16].iter().all(|b| *b == 0xff));
        assert_eq!(&bytes[16..21], &[0, 28, 3, 6, 1]);
        assert_eq!(&bytes[21..], &[0, 1, 1, 0, 0, 0, 100]);
    }
}
