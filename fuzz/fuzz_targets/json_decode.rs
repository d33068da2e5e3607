//! awsJson bodies against every implemented input shape.
#![no_main]

use landbridge_wire::protocol::json;
use landbridge_wire::validate::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(((_spec, op), body)) = landbridge_fuzz::pick(data) else {
        return;
    };
    let Some(shape) = op.input else {
        return;
    };
    if let Ok(value) = json::decode(shape, body) {
        let _ = validate(shape, &value);
        let _ = json::encode(&value);
    }
});
