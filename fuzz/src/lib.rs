//! Shared by the fuzz targets: picking an operation from the fuzzer's first
//! byte, so every allowlisted input shape gets exercised.

use landbridge_api::ALL_SPECS;
use landbridge_wire::schema::{Operation, ServiceSpec};

/// Every implemented operation of every service.
pub fn operations() -> Vec<(&'static ServiceSpec, &'static Operation)> {
    ALL_SPECS
        .iter()
        .flat_map(|spec| spec.operations.iter().map(move |op| (*spec, op)))
        .collect()
}

/// Splits the fuzz input into an operation choice and the rest.
pub fn pick(data: &[u8]) -> Option<((&'static ServiceSpec, &'static Operation), &[u8])> {
    let ops = operations();
    let (first, rest) = data.split_first()?;
    let chosen = *ops.get(usize::from(*first) % ops.len().max(1))?;
    Some((chosen, rest))
}
