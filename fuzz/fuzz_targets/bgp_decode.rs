//! BGP byte streams as a session reads them: framing, every message, and
//! UPDATEs through RFC 7606's error handling.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = landbridge_bgp::read_all(data);
});
