//! Transfer Family's errors, with the codes its model declares.

use landbridge_api::ApiError;

pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::client("InvalidRequestException", message)
}

pub fn not_found(kind: &str, id: &str) -> ApiError {
    ApiError::client("ResourceNotFoundException", format!("Unknown {kind}: '{id}'"))
}

pub fn exists(message: impl Into<String>) -> ApiError {
    ApiError::client("ResourceExistsException", message)
}

pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError::new("InternalServiceError", message, 500)
}
