//! RPC v2 CBOR bodies against every implemented input shape.
#![no_main]

use landbridge_wire::protocol::cbor;
use landbridge_wire::validate::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(((_spec, op), body)) = landbridge_fuzz::pick(data) else {
        return;
    };
    let Some(shape) = op.input else {
        return;
    };
    if let Ok(value) = cbor::decode(shape, body) {
        let _ = validate(shape, &value);
        let _ = cbor::encode(&value);
    }
});
