//! EC2's error codes and messages, in AWS's words.

use landbridge_api::ApiError;

pub fn not_found(code: &str, what: &str, id: &str) -> ApiError {
    ApiError::client(code, format!("The {what} ID '{id}' does not exist"))
}

pub fn vpc_not_found(id: &str) -> ApiError {
    not_found("InvalidVpcID.NotFound", "vpc", id)
}

pub fn subnet_not_found(id: &str) -> ApiError {
    not_found("InvalidSubnetID.NotFound", "subnet", id)
}

pub fn route_table_not_found(id: &str) -> ApiError {
    not_found("InvalidRouteTableID.NotFound", "route table", id)
}

pub fn igw_not_found(id: &str) -> ApiError {
    not_found("InvalidInternetGatewayID.NotFound", "internetGateway", id)
}

pub fn eni_not_found(id: &str) -> ApiError {
    not_found("InvalidNetworkInterfaceID.NotFound", "networkInterface", id)
}

pub fn association_not_found(id: &str) -> ApiError {
    not_found("InvalidAssociationID.NotFound", "association", id)
}

pub fn cgw_not_found(id: &str) -> ApiError {
    not_found("InvalidCustomerGatewayID.NotFound", "customerGateway", id)
}

pub fn vgw_not_found(id: &str) -> ApiError {
    not_found("InvalidVpnGatewayID.NotFound", "vpnGateway", id)
}

pub fn vpn_not_found(id: &str) -> ApiError {
    not_found("InvalidVpnConnectionID.NotFound", "vpnConnection", id)
}

pub fn tgw_not_found(id: &str) -> ApiError {
    not_found("InvalidTransitGatewayID.NotFound", "transitGateway", id)
}

pub fn tgw_attachment_not_found(id: &str) -> ApiError {
    not_found(
        "InvalidTransitGatewayAttachmentID.NotFound",
        "transitGatewayAttachment",
        id,
    )
}

pub fn tgw_route_table_not_found(id: &str) -> ApiError {
    not_found("InvalidRouteTableID.NotFound", "transitGatewayRouteTable", id)
}

pub fn insights_path_not_found(id: &str) -> ApiError {
    not_found("InvalidNetworkInsightsPathId.NotFound", "networkInsightsPath", id)
}

pub fn insights_analysis_not_found(id: &str) -> ApiError {
    not_found(
        "InvalidNetworkInsightsAnalysisId.NotFound",
        "networkInsightsAnalysis",
        id,
    )
}

pub fn incorrect_state(message: impl Into<String>) -> ApiError {
    ApiError::client("IncorrectState", message)
}

pub fn dependency(what: &str, id: &str) -> ApiError {
    ApiError::client(
        "DependencyViolation",
        format!("The {what} '{id}' has dependencies and cannot be deleted."),
    )
}

pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::client("InvalidParameterValue", message)
}

pub fn invalid_value(value: &str, parameter: &str, why: &str) -> ApiError {
    invalid(format!("Value ({value}) for parameter {parameter} is invalid. {why}"))
}

pub fn missing(parameter: &str) -> ApiError {
    ApiError::client(
        "MissingParameter",
        format!("The request must contain the parameter {parameter}"),
    )
}

pub fn combination(message: impl Into<String>) -> ApiError {
    ApiError::client("InvalidParameterCombination", message)
}

/// EC2 answers a dry run that would have succeeded with this error (HTTP 412).
pub fn dry_run(flag: Option<bool>) -> Result<(), ApiError> {
    if flag == Some(true) {
        Err(ApiError::new(
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
            412,
        ))
    } else {
        Ok(())
    }
}

/// A failure to persist: the change did not happen.
pub fn storage(err: landbridge_store::StoreError) -> ApiError {
    ApiError::new("InternalError", format!("An internal error has occurred: {err}"), 500)
}
