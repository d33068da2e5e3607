//! DataSync's errors: everything a caller did wrong is an
//! `InvalidRequestException` (HTTP 400), with AWS's wording where known.

use landbridge_api::ApiError;

pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::client("InvalidRequestException", message)
}

pub fn internal(message: &str) -> ApiError {
    ApiError::new("InternalException", message, 500)
}

/// An ARN that names nothing in the caller's account and region.
pub fn not_found(arn: &str) -> ApiError {
    invalid(format!("Request references a resource which does not exist: {arn}"))
}
