//! DataSync's errors: everything a caller did wrong is an
//! `InvalidRequestException` (HTTP 400), with AWS's wording where known.

use landbridge_api::ApiError;

pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::client("InvalidRequestException", message)
}

pub fn internal(message: &str) -> ApiError {
    ApiError::new("InternalException", message, 500)
}

/// An ARN that names nothing in the caller's account and region. Tools
/// tell a missing resource from other InvalidRequestExceptions by the
/// message alone (Terraform looks for "not found" for locations and
/// tasks, "does not exist" for agents), so the wording follows the kind.
pub fn not_found(arn: &str) -> ApiError {
    let resource = arn.split(':').nth(5).unwrap_or_default();
    invalid(if resource.starts_with("agent/") {
        format!("Agent {arn} does not exist.")
    } else if resource.starts_with("location/") {
        format!("Location {arn} is not found.")
    } else if resource.contains("/execution/") {
        format!("Sync task execution {arn} is not found.")
    } else if resource.starts_with("task/") {
        format!("Sync task {arn} is not found.")
    } else {
        format!("Request references a resource which is not found: {arn}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_resources_are_worded_as_tools_expect() {
        let msg = |arn: &str| not_found(arn).message;
        assert!(
            msg("arn:aws:datasync:us-east-1:111122223333:agent/agent-0b0addbeef44b3b21").contains("does not exist")
        );
        for arn in [
            "arn:aws:datasync:us-east-1:111122223333:location/loc-0b0addbeef44b3b21",
            "arn:aws:datasync:us-east-1:111122223333:task/task-0b0addbeef44b3b21",
            "arn:aws:datasync:us-east-1:111122223333:task/task-0b0addbeef44b3b21/execution/exec-0b0addbeef44b3b21",
        ] {
            assert!(msg(arn).contains("not found"), "{arn}");
        }
    }
}
