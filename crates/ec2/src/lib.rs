//! Amazon EC2: regions and availability zones, and the VPC core (VPCs,
//! subnets, route tables, internet gateways, network interfaces, tags) with
//! AWS's rules, errors, filters and pagination.
//!
//! Layout follows moto's split: `model` and `state` hold behaviour-free
//! records and their storage; one module per resource family holds the
//! rules; `views` turns records into the generated API types.

pub mod cidr;
mod defaults;
mod device_configs;
mod errors;
pub mod filter;
mod gateway_config;
mod gateways;
mod ids;
mod interfaces;
mod lifecycles;
pub mod model;
mod paging;
mod reachability;
pub mod regions;
mod route_tables;
mod routing;
mod security;
pub mod state;
mod subnets;
mod tags;
mod tgw_attachments;
mod tgw_peering;
mod tgw_routes;
mod transit_gateways;
mod tunnel_options;
pub mod tunnel_status;
mod views;
mod vpcs;
mod vpn_bgp;
mod vpn_connections;
mod vpn_gateways;
mod zones;

use std::sync::Arc;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext};
use landbridge_fabric::Fabric;
use landbridge_lifecycle::Lifecycle;
use landbridge_store::{Mutation, Record, Store};

use state::{Region, Regions};
pub use vpn_bgp::{Endpoint as DataPlaneEndpoint, Settings as BgpSettings};

/// The EC2 service. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Ec2 {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    regions: Regions,
    lifecycle: Lifecycle,
    /// Where VPN tunnel outside addresses come from; shared with the other
    /// services that bind loopback addresses.
    fabric: Arc<Fabric>,
    /// The tunnels' BGP speakers, once `start_data_planes` ran.
    bgp: std::sync::OnceLock<Arc<vpn_bgp::Controller>>,
}

impl Ec2 {
    /// EC2 over `store`, with memory rebuilt from the `records` it kept;
    /// tunnel outside addresses come from `fabric`, which it claims its
    /// stored tunnels' addresses in.
    pub fn new(store: Store, records: Vec<Record>, lifecycle: Lifecycle, fabric: Arc<Fabric>) -> Result<Self, String> {
        for r in records
            .iter()
            .filter(|r| r.key.service == state::SERVICE && r.key.kind == "vpn-connection")
        {
            let c: model::VpnConnectionRec = serde_json::from_value(r.body.clone()).map_err(|e| e.to_string())?;
            if c.deleted_ms.is_none() {
                fabric.claim(c.tunnels.iter().filter_map(|t| t.outside_ip.parse().ok()));
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                regions: Regions::load(records)?,
                lifecycle,
                fabric,
                bgp: std::sync::OnceLock::new(),
            }),
        })
    }

    /// EC2 with nothing stored (unit tests).
    pub fn in_memory() -> Self {
        Self {
            inner: Arc::new(Inner {
                store: Store::in_memory(),
                regions: Regions::default(),
                lifecycle: Lifecycle::instant(),
                fabric: Arc::new(Fabric::default()),
                bgp: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Starts the data planes (the tunnels' BGP speakers) and keeps them
    /// in step with the stored state; needs a Tokio runtime.
    pub fn start_data_planes(&self, settings: BgpSettings) {
        let controller = vpn_bgp::Controller::new(self.clone(), settings);
        if self.inner.bgp.set(controller.clone()).is_ok() {
            tokio::spawn(controller.run());
        }
    }

    /// The data planes' listeners.
    pub fn endpoints(&self) -> Vec<DataPlaneEndpoint> {
        self.inner.bgp.get().map(|c| c.endpoints()).unwrap_or_default()
    }

    /// Cuts (`up` false) or restores the tunnel of `vpn_connection_id` at
    /// `outside_ip`, as a fiber cut would.
    pub async fn set_tunnel(
        &self,
        account: &str,
        region: &str,
        vpn_connection_id: &str,
        outside_ip: &str,
        up: bool,
    ) -> Result<(), String> {
        let r = self.inner.regions.get(account, region);
        let ip = {
            let state = r.state.read().await;
            let c = state
                .vpn_connections
                .get(vpn_connection_id)
                .filter(|c| c.deleted_ms.is_none())
                .ok_or_else(|| format!("The vpnConnection ID '{vpn_connection_id}' does not exist"))?;
            c.tunnels
                .iter()
                .find(|t| t.outside_ip == outside_ip)
                .and_then(|t| t.outside_ip.parse().ok())
                .ok_or_else(|| format!("{vpn_connection_id} has no tunnel at {outside_ip}"))?
        };
        match self.inner.bgp.get() {
            Some(c) => {
                c.set_tunnel(ip, up).await;
                Ok(())
            }
            None => Err("the data planes are not running".into()),
        }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn fabric(&self) -> &Fabric {
        &self.inner.fabric
    }

    /// This request's instant, for lifecycle states.
    pub(crate) fn at(&self) -> lifecycles::At {
        lifecycles::At::now(self.inner.lifecycle)
    }

    /// The caller's account and region, with its default VPC made on first
    /// use (once: deleting it is final, as in AWS).
    pub(crate) async fn region(&self, ctx: &RequestContext) -> Result<Arc<Region>, ApiError> {
        self.region_of(&ctx.account_id, &ctx.region).await
    }

    /// Any account's region (another party of a peering), made as on that
    /// account's first call.
    pub(crate) async fn region_of(&self, account: &str, name: &str) -> Result<Arc<Region>, ApiError> {
        let region = self.inner.regions.get(account, name);
        if region.state.read().await.meta.initialized {
            return Ok(region);
        }
        {
            let state = region.state.write().await;
            if !state.meta.initialized {
                let tx = defaults::default_vpc(account, name);
                tx.commit(self.store(), &region, state).await?;
            }
        }
        Ok(region)
    }

    /// Forgets every EC2 resource of every account and region, and returns
    /// the tunnels' outside addresses (only EC2's) to the fabric.
    pub async fn reset(&self) -> Result<(), ApiError> {
        let mut held = Vec::new();
        for region in self.inner.regions.all() {
            let state = region.state.read().await;
            held.extend(
                state
                    .vpn_connections
                    .values()
                    .filter(|c| c.deleted_ms.is_none())
                    .flat_map(|c| {
                        c.tunnels
                            .iter()
                            .filter_map(|t| t.outside_ip.parse::<std::net::Ipv4Addr>().ok())
                    }),
            );
        }
        self.store()
            .commit(vec![Mutation::Clear {
                service: Some(state::SERVICE.to_string()),
            }])
            .await
            .map_err(errors::storage)?;
        self.inner.regions.clear();
        self.inner.fabric.release(held);
        Ok(())
    }
}

impl landbridge_api::Stateful for Ec2 {
    fn service(&self) -> &'static str {
        state::SERVICE
    }

    fn reset(&self) -> landbridge_api::BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(Ec2::reset(self))
    }
}

impl Ec2Api for Ec2 {
    async fn describe_regions(
        &self,
        ctx: &RequestContext,
        input: DescribeRegionsRequest,
    ) -> Result<DescribeRegionsResult, ApiError> {
        zones::describe_regions(ctx, input)
    }

    async fn describe_availability_zones(
        &self,
        ctx: &RequestContext,
        input: DescribeAvailabilityZonesRequest,
    ) -> Result<DescribeAvailabilityZonesResult, ApiError> {
        zones::describe_availability_zones(ctx, input)
    }

    async fn create_vpc(&self, ctx: &RequestContext, input: CreateVpcRequest) -> Result<CreateVpcResult, ApiError> {
        vpcs::create(self, ctx, input).await
    }

    async fn describe_vpcs(
        &self,
        ctx: &RequestContext,
        input: DescribeVpcsRequest,
    ) -> Result<DescribeVpcsResult, ApiError> {
        vpcs::describe(self, ctx, input).await
    }

    async fn delete_vpc(&self, ctx: &RequestContext, input: DeleteVpcRequest) -> Result<(), ApiError> {
        vpcs::delete(self, ctx, input).await
    }

    async fn modify_vpc_attribute(
        &self,
        ctx: &RequestContext,
        input: ModifyVpcAttributeRequest,
    ) -> Result<(), ApiError> {
        vpcs::modify_attribute(self, ctx, input).await
    }

    async fn describe_vpc_attribute(
        &self,
        ctx: &RequestContext,
        input: DescribeVpcAttributeRequest,
    ) -> Result<DescribeVpcAttributeResult, ApiError> {
        vpcs::describe_attribute(self, ctx, input).await
    }

    async fn associate_vpc_cidr_block(
        &self,
        ctx: &RequestContext,
        input: AssociateVpcCidrBlockRequest,
    ) -> Result<AssociateVpcCidrBlockResult, ApiError> {
        vpcs::associate_cidr(self, ctx, input).await
    }

    async fn disassociate_vpc_cidr_block(
        &self,
        ctx: &RequestContext,
        input: DisassociateVpcCidrBlockRequest,
    ) -> Result<DisassociateVpcCidrBlockResult, ApiError> {
        vpcs::disassociate_cidr(self, ctx, input).await
    }

    async fn create_subnet(
        &self,
        ctx: &RequestContext,
        input: CreateSubnetRequest,
    ) -> Result<CreateSubnetResult, ApiError> {
        subnets::create(self, ctx, input).await
    }

    async fn describe_subnets(
        &self,
        ctx: &RequestContext,
        input: DescribeSubnetsRequest,
    ) -> Result<DescribeSubnetsResult, ApiError> {
        subnets::describe(self, ctx, input).await
    }

    async fn delete_subnet(&self, ctx: &RequestContext, input: DeleteSubnetRequest) -> Result<(), ApiError> {
        subnets::delete(self, ctx, input).await
    }

    async fn modify_subnet_attribute(
        &self,
        ctx: &RequestContext,
        input: ModifySubnetAttributeRequest,
    ) -> Result<(), ApiError> {
        subnets::modify_attribute(self, ctx, input).await
    }

    async fn create_route_table(
        &self,
        ctx: &RequestContext,
        input: CreateRouteTableRequest,
    ) -> Result<CreateRouteTableResult, ApiError> {
        route_tables::create(self, ctx, input).await
    }

    async fn describe_route_tables(
        &self,
        ctx: &RequestContext,
        input: DescribeRouteTablesRequest,
    ) -> Result<DescribeRouteTablesResult, ApiError> {
        route_tables::describe(self, ctx, input).await
    }

    async fn delete_route_table(&self, ctx: &RequestContext, input: DeleteRouteTableRequest) -> Result<(), ApiError> {
        route_tables::delete(self, ctx, input).await
    }

    async fn create_route(
        &self,
        ctx: &RequestContext,
        input: CreateRouteRequest,
    ) -> Result<CreateRouteResult, ApiError> {
        route_tables::create_route(self, ctx, input).await
    }

    async fn replace_route(&self, ctx: &RequestContext, input: ReplaceRouteRequest) -> Result<(), ApiError> {
        route_tables::replace_route(self, ctx, input).await
    }

    async fn delete_route(&self, ctx: &RequestContext, input: DeleteRouteRequest) -> Result<(), ApiError> {
        route_tables::delete_route(self, ctx, input).await
    }

    async fn associate_route_table(
        &self,
        ctx: &RequestContext,
        input: AssociateRouteTableRequest,
    ) -> Result<AssociateRouteTableResult, ApiError> {
        route_tables::associate(self, ctx, input).await
    }

    async fn disassociate_route_table(
        &self,
        ctx: &RequestContext,
        input: DisassociateRouteTableRequest,
    ) -> Result<(), ApiError> {
        route_tables::disassociate(self, ctx, input).await
    }

    async fn replace_route_table_association(
        &self,
        ctx: &RequestContext,
        input: ReplaceRouteTableAssociationRequest,
    ) -> Result<ReplaceRouteTableAssociationResult, ApiError> {
        route_tables::replace_association(self, ctx, input).await
    }

    async fn create_internet_gateway(
        &self,
        ctx: &RequestContext,
        input: CreateInternetGatewayRequest,
    ) -> Result<CreateInternetGatewayResult, ApiError> {
        gateways::create(self, ctx, input).await
    }

    async fn describe_internet_gateways(
        &self,
        ctx: &RequestContext,
        input: DescribeInternetGatewaysRequest,
    ) -> Result<DescribeInternetGatewaysResult, ApiError> {
        gateways::describe(self, ctx, input).await
    }

    async fn delete_internet_gateway(
        &self,
        ctx: &RequestContext,
        input: DeleteInternetGatewayRequest,
    ) -> Result<(), ApiError> {
        gateways::delete(self, ctx, input).await
    }

    async fn attach_internet_gateway(
        &self,
        ctx: &RequestContext,
        input: AttachInternetGatewayRequest,
    ) -> Result<(), ApiError> {
        gateways::attach(self, ctx, input).await
    }

    async fn detach_internet_gateway(
        &self,
        ctx: &RequestContext,
        input: DetachInternetGatewayRequest,
    ) -> Result<(), ApiError> {
        gateways::detach(self, ctx, input).await
    }

    async fn create_network_interface(
        &self,
        ctx: &RequestContext,
        input: CreateNetworkInterfaceRequest,
    ) -> Result<CreateNetworkInterfaceResult, ApiError> {
        interfaces::create(self, ctx, input).await
    }

    async fn describe_network_interfaces(
        &self,
        ctx: &RequestContext,
        input: DescribeNetworkInterfacesRequest,
    ) -> Result<DescribeNetworkInterfacesResult, ApiError> {
        interfaces::describe(self, ctx, input).await
    }

    async fn delete_network_interface(
        &self,
        ctx: &RequestContext,
        input: DeleteNetworkInterfaceRequest,
    ) -> Result<(), ApiError> {
        interfaces::delete(self, ctx, input).await
    }

    async fn describe_network_acls(
        &self,
        ctx: &RequestContext,
        input: DescribeNetworkAclsRequest,
    ) -> Result<DescribeNetworkAclsResult, ApiError> {
        security::describe_network_acls(self, ctx, input).await
    }

    async fn describe_security_groups(
        &self,
        ctx: &RequestContext,
        input: DescribeSecurityGroupsRequest,
    ) -> Result<DescribeSecurityGroupsResult, ApiError> {
        security::describe_security_groups(self, ctx, input).await
    }

    async fn create_tags(&self, ctx: &RequestContext, input: CreateTagsRequest) -> Result<(), ApiError> {
        tags::create(self, ctx, input).await
    }

    async fn delete_tags(&self, ctx: &RequestContext, input: DeleteTagsRequest) -> Result<(), ApiError> {
        tags::delete(self, ctx, input).await
    }

    async fn create_customer_gateway(
        &self,
        ctx: &RequestContext,
        input: CreateCustomerGatewayRequest,
    ) -> Result<CreateCustomerGatewayResult, ApiError> {
        vpn_gateways::create_customer_gateway(self, ctx, input).await
    }

    async fn describe_customer_gateways(
        &self,
        ctx: &RequestContext,
        input: DescribeCustomerGatewaysRequest,
    ) -> Result<DescribeCustomerGatewaysResult, ApiError> {
        vpn_gateways::describe_customer_gateways(self, ctx, input).await
    }

    async fn delete_customer_gateway(
        &self,
        ctx: &RequestContext,
        input: DeleteCustomerGatewayRequest,
    ) -> Result<(), ApiError> {
        vpn_gateways::delete_customer_gateway(self, ctx, input).await
    }

    async fn create_vpn_gateway(
        &self,
        ctx: &RequestContext,
        input: CreateVpnGatewayRequest,
    ) -> Result<CreateVpnGatewayResult, ApiError> {
        vpn_gateways::create_vpn_gateway(self, ctx, input).await
    }

    async fn describe_vpn_gateways(
        &self,
        ctx: &RequestContext,
        input: DescribeVpnGatewaysRequest,
    ) -> Result<DescribeVpnGatewaysResult, ApiError> {
        vpn_gateways::describe_vpn_gateways(self, ctx, input).await
    }

    async fn delete_vpn_gateway(&self, ctx: &RequestContext, input: DeleteVpnGatewayRequest) -> Result<(), ApiError> {
        vpn_gateways::delete_vpn_gateway(self, ctx, input).await
    }

    async fn attach_vpn_gateway(
        &self,
        ctx: &RequestContext,
        input: AttachVpnGatewayRequest,
    ) -> Result<AttachVpnGatewayResult, ApiError> {
        vpn_gateways::attach_vpn_gateway(self, ctx, input).await
    }

    async fn detach_vpn_gateway(&self, ctx: &RequestContext, input: DetachVpnGatewayRequest) -> Result<(), ApiError> {
        vpn_gateways::detach_vpn_gateway(self, ctx, input).await
    }

    async fn enable_vgw_route_propagation(
        &self,
        ctx: &RequestContext,
        input: EnableVgwRoutePropagationRequest,
    ) -> Result<(), ApiError> {
        vpn_gateways::set_propagation(self, ctx, input.dry_run, &input.gateway_id, &input.route_table_id, true).await
    }

    async fn disable_vgw_route_propagation(
        &self,
        ctx: &RequestContext,
        input: DisableVgwRoutePropagationRequest,
    ) -> Result<(), ApiError> {
        vpn_gateways::set_propagation(
            self,
            ctx,
            input.dry_run,
            &input.gateway_id,
            &input.route_table_id,
            false,
        )
        .await
    }

    async fn create_vpn_connection(
        &self,
        ctx: &RequestContext,
        input: CreateVpnConnectionRequest,
    ) -> Result<CreateVpnConnectionResult, ApiError> {
        vpn_connections::create(self, ctx, input).await
    }

    async fn describe_vpn_connections(
        &self,
        ctx: &RequestContext,
        input: DescribeVpnConnectionsRequest,
    ) -> Result<DescribeVpnConnectionsResult, ApiError> {
        vpn_connections::describe(self, ctx, input).await
    }

    async fn delete_vpn_connection(
        &self,
        ctx: &RequestContext,
        input: DeleteVpnConnectionRequest,
    ) -> Result<(), ApiError> {
        vpn_connections::delete(self, ctx, input).await
    }

    async fn create_vpn_connection_route(
        &self,
        ctx: &RequestContext,
        input: CreateVpnConnectionRouteRequest,
    ) -> Result<(), ApiError> {
        vpn_connections::set_route(self, ctx, &input.vpn_connection_id, &input.destination_cidr_block, true).await
    }

    async fn delete_vpn_connection_route(
        &self,
        ctx: &RequestContext,
        input: DeleteVpnConnectionRouteRequest,
    ) -> Result<(), ApiError> {
        vpn_connections::set_route(
            self,
            ctx,
            &input.vpn_connection_id,
            &input.destination_cidr_block,
            false,
        )
        .await
    }

    async fn get_vpn_connection_device_types(
        &self,
        _ctx: &RequestContext,
        input: GetVpnConnectionDeviceTypesRequest,
    ) -> Result<GetVpnConnectionDeviceTypesResult, ApiError> {
        vpn_connections::device_types(input).await
    }

    async fn get_vpn_connection_device_sample_configuration(
        &self,
        ctx: &RequestContext,
        input: GetVpnConnectionDeviceSampleConfigurationRequest,
    ) -> Result<GetVpnConnectionDeviceSampleConfigurationResult, ApiError> {
        vpn_connections::sample_configuration(self, ctx, input).await
    }

    async fn modify_vpn_tunnel_options(
        &self,
        ctx: &RequestContext,
        input: ModifyVpnTunnelOptionsRequest,
    ) -> Result<ModifyVpnTunnelOptionsResult, ApiError> {
        vpn_connections::modify_tunnel_options(self, ctx, input).await
    }

    async fn modify_vpn_connection_options(
        &self,
        ctx: &RequestContext,
        input: ModifyVpnConnectionOptionsRequest,
    ) -> Result<ModifyVpnConnectionOptionsResult, ApiError> {
        vpn_connections::modify_options(self, ctx, input).await
    }

    async fn modify_vpn_connection(
        &self,
        ctx: &RequestContext,
        input: ModifyVpnConnectionRequest,
    ) -> Result<ModifyVpnConnectionResult, ApiError> {
        vpn_connections::modify_connection(self, ctx, input).await
    }

    async fn get_active_vpn_tunnel_status(
        &self,
        ctx: &RequestContext,
        input: GetActiveVpnTunnelStatusRequest,
    ) -> Result<GetActiveVpnTunnelStatusResult, ApiError> {
        vpn_connections::active_tunnel_status(self, ctx, input).await
    }

    async fn replace_vpn_tunnel(
        &self,
        ctx: &RequestContext,
        input: ReplaceVpnTunnelRequest,
    ) -> Result<ReplaceVpnTunnelResult, ApiError> {
        vpn_connections::replace_tunnel(self, ctx, input).await
    }

    async fn create_transit_gateway(
        &self,
        ctx: &RequestContext,
        input: CreateTransitGatewayRequest,
    ) -> Result<CreateTransitGatewayResult, ApiError> {
        transit_gateways::create(self, ctx, input).await
    }

    async fn describe_transit_gateways(
        &self,
        ctx: &RequestContext,
        input: DescribeTransitGatewaysRequest,
    ) -> Result<DescribeTransitGatewaysResult, ApiError> {
        transit_gateways::describe(self, ctx, input).await
    }

    async fn modify_transit_gateway(
        &self,
        ctx: &RequestContext,
        input: ModifyTransitGatewayRequest,
    ) -> Result<ModifyTransitGatewayResult, ApiError> {
        transit_gateways::modify(self, ctx, input).await
    }

    async fn delete_transit_gateway(
        &self,
        ctx: &RequestContext,
        input: DeleteTransitGatewayRequest,
    ) -> Result<DeleteTransitGatewayResult, ApiError> {
        transit_gateways::delete(self, ctx, input).await
    }

    async fn create_transit_gateway_route_table(
        &self,
        ctx: &RequestContext,
        input: CreateTransitGatewayRouteTableRequest,
    ) -> Result<CreateTransitGatewayRouteTableResult, ApiError> {
        transit_gateways::create_route_table(self, ctx, input).await
    }

    async fn describe_transit_gateway_route_tables(
        &self,
        ctx: &RequestContext,
        input: DescribeTransitGatewayRouteTablesRequest,
    ) -> Result<DescribeTransitGatewayRouteTablesResult, ApiError> {
        transit_gateways::describe_route_tables(self, ctx, input).await
    }

    async fn delete_transit_gateway_route_table(
        &self,
        ctx: &RequestContext,
        input: DeleteTransitGatewayRouteTableRequest,
    ) -> Result<DeleteTransitGatewayRouteTableResult, ApiError> {
        transit_gateways::delete_route_table(self, ctx, input).await
    }

    async fn associate_transit_gateway_route_table(
        &self,
        ctx: &RequestContext,
        input: AssociateTransitGatewayRouteTableRequest,
    ) -> Result<AssociateTransitGatewayRouteTableResult, ApiError> {
        transit_gateways::associate(self, ctx, input).await
    }

    async fn disassociate_transit_gateway_route_table(
        &self,
        ctx: &RequestContext,
        input: DisassociateTransitGatewayRouteTableRequest,
    ) -> Result<DisassociateTransitGatewayRouteTableResult, ApiError> {
        transit_gateways::disassociate(self, ctx, input).await
    }

    async fn enable_transit_gateway_route_table_propagation(
        &self,
        ctx: &RequestContext,
        input: EnableTransitGatewayRouteTablePropagationRequest,
    ) -> Result<EnableTransitGatewayRouteTablePropagationResult, ApiError> {
        Ok(EnableTransitGatewayRouteTablePropagationResult {
            propagation: Some(
                transit_gateways::set_propagation(
                    self,
                    ctx,
                    input.dry_run,
                    &input.transit_gateway_route_table_id,
                    input.transit_gateway_attachment_id.as_deref(),
                    true,
                )
                .await?,
            ),
        })
    }

    async fn disable_transit_gateway_route_table_propagation(
        &self,
        ctx: &RequestContext,
        input: DisableTransitGatewayRouteTablePropagationRequest,
    ) -> Result<DisableTransitGatewayRouteTablePropagationResult, ApiError> {
        Ok(DisableTransitGatewayRouteTablePropagationResult {
            propagation: Some(
                transit_gateways::set_propagation(
                    self,
                    ctx,
                    input.dry_run,
                    &input.transit_gateway_route_table_id,
                    input.transit_gateway_attachment_id.as_deref(),
                    false,
                )
                .await?,
            ),
        })
    }

    async fn get_transit_gateway_route_table_associations(
        &self,
        ctx: &RequestContext,
        input: GetTransitGatewayRouteTableAssociationsRequest,
    ) -> Result<GetTransitGatewayRouteTableAssociationsResult, ApiError> {
        transit_gateways::table_associations(self, ctx, input).await
    }

    async fn get_transit_gateway_route_table_propagations(
        &self,
        ctx: &RequestContext,
        input: GetTransitGatewayRouteTablePropagationsRequest,
    ) -> Result<GetTransitGatewayRouteTablePropagationsResult, ApiError> {
        transit_gateways::table_propagations(self, ctx, input).await
    }

    async fn get_transit_gateway_attachment_propagations(
        &self,
        ctx: &RequestContext,
        input: GetTransitGatewayAttachmentPropagationsRequest,
    ) -> Result<GetTransitGatewayAttachmentPropagationsResult, ApiError> {
        transit_gateways::attachment_propagations(self, ctx, input).await
    }

    async fn create_transit_gateway_vpc_attachment(
        &self,
        ctx: &RequestContext,
        input: CreateTransitGatewayVpcAttachmentRequest,
    ) -> Result<CreateTransitGatewayVpcAttachmentResult, ApiError> {
        tgw_attachments::create_vpc_attachment(self, ctx, input).await
    }

    async fn describe_transit_gateway_vpc_attachments(
        &self,
        ctx: &RequestContext,
        input: DescribeTransitGatewayVpcAttachmentsRequest,
    ) -> Result<DescribeTransitGatewayVpcAttachmentsResult, ApiError> {
        tgw_attachments::describe_vpc_attachments(self, ctx, input).await
    }

    async fn modify_transit_gateway_vpc_attachment(
        &self,
        ctx: &RequestContext,
        input: ModifyTransitGatewayVpcAttachmentRequest,
    ) -> Result<ModifyTransitGatewayVpcAttachmentResult, ApiError> {
        tgw_attachments::modify_vpc_attachment(self, ctx, input).await
    }

    async fn delete_transit_gateway_vpc_attachment(
        &self,
        ctx: &RequestContext,
        input: DeleteTransitGatewayVpcAttachmentRequest,
    ) -> Result<DeleteTransitGatewayVpcAttachmentResult, ApiError> {
        tgw_attachments::delete_vpc_attachment(self, ctx, input).await
    }

    async fn describe_transit_gateway_attachments(
        &self,
        ctx: &RequestContext,
        input: DescribeTransitGatewayAttachmentsRequest,
    ) -> Result<DescribeTransitGatewayAttachmentsResult, ApiError> {
        tgw_attachments::describe_attachments(self, ctx, input).await
    }

    async fn create_transit_gateway_route(
        &self,
        ctx: &RequestContext,
        input: CreateTransitGatewayRouteRequest,
    ) -> Result<CreateTransitGatewayRouteResult, ApiError> {
        errors::dry_run(input.dry_run)?;
        let route = tgw_routes::put_route(
            self,
            ctx,
            &input.transit_gateway_route_table_id,
            &input.destination_cidr_block,
            input.transit_gateway_attachment_id,
            input.blackhole,
            false,
        )
        .await?;
        Ok(CreateTransitGatewayRouteResult { route: Some(route) })
    }

    async fn replace_transit_gateway_route(
        &self,
        ctx: &RequestContext,
        input: ReplaceTransitGatewayRouteRequest,
    ) -> Result<ReplaceTransitGatewayRouteResult, ApiError> {
        errors::dry_run(input.dry_run)?;
        let route = tgw_routes::put_route(
            self,
            ctx,
            &input.transit_gateway_route_table_id,
            &input.destination_cidr_block,
            input.transit_gateway_attachment_id,
            input.blackhole,
            true,
        )
        .await?;
        Ok(ReplaceTransitGatewayRouteResult { route: Some(route) })
    }

    async fn delete_transit_gateway_route(
        &self,
        ctx: &RequestContext,
        input: DeleteTransitGatewayRouteRequest,
    ) -> Result<DeleteTransitGatewayRouteResult, ApiError> {
        tgw_routes::delete_route(self, ctx, input).await
    }

    async fn search_transit_gateway_routes(
        &self,
        ctx: &RequestContext,
        input: SearchTransitGatewayRoutesRequest,
    ) -> Result<SearchTransitGatewayRoutesResult, ApiError> {
        tgw_routes::search(self, ctx, input).await
    }

    async fn create_transit_gateway_peering_attachment(
        &self,
        ctx: &RequestContext,
        input: CreateTransitGatewayPeeringAttachmentRequest,
    ) -> Result<CreateTransitGatewayPeeringAttachmentResult, ApiError> {
        tgw_peering::create(self, ctx, input).await
    }

    async fn accept_transit_gateway_peering_attachment(
        &self,
        ctx: &RequestContext,
        input: AcceptTransitGatewayPeeringAttachmentRequest,
    ) -> Result<AcceptTransitGatewayPeeringAttachmentResult, ApiError> {
        tgw_peering::accept(self, ctx, input).await
    }

    async fn reject_transit_gateway_peering_attachment(
        &self,
        ctx: &RequestContext,
        input: RejectTransitGatewayPeeringAttachmentRequest,
    ) -> Result<RejectTransitGatewayPeeringAttachmentResult, ApiError> {
        tgw_peering::reject(self, ctx, input).await
    }

    async fn delete_transit_gateway_peering_attachment(
        &self,
        ctx: &RequestContext,
        input: DeleteTransitGatewayPeeringAttachmentRequest,
    ) -> Result<DeleteTransitGatewayPeeringAttachmentResult, ApiError> {
        tgw_peering::delete(self, ctx, input).await
    }

    async fn describe_transit_gateway_peering_attachments(
        &self,
        ctx: &RequestContext,
        input: DescribeTransitGatewayPeeringAttachmentsRequest,
    ) -> Result<DescribeTransitGatewayPeeringAttachmentsResult, ApiError> {
        tgw_peering::describe(self, ctx, input).await
    }

    async fn create_network_insights_path(
        &self,
        ctx: &RequestContext,
        input: CreateNetworkInsightsPathRequest,
    ) -> Result<CreateNetworkInsightsPathResult, ApiError> {
        reachability::create_path(self, ctx, input).await
    }

    async fn describe_network_insights_paths(
        &self,
        ctx: &RequestContext,
        input: DescribeNetworkInsightsPathsRequest,
    ) -> Result<DescribeNetworkInsightsPathsResult, ApiError> {
        reachability::describe_paths(self, ctx, input).await
    }

    async fn delete_network_insights_path(
        &self,
        ctx: &RequestContext,
        input: DeleteNetworkInsightsPathRequest,
    ) -> Result<DeleteNetworkInsightsPathResult, ApiError> {
        reachability::delete_path(self, ctx, input).await
    }

    async fn start_network_insights_analysis(
        &self,
        ctx: &RequestContext,
        input: StartNetworkInsightsAnalysisRequest,
    ) -> Result<StartNetworkInsightsAnalysisResult, ApiError> {
        reachability::start_analysis(self, ctx, input).await
    }

    async fn describe_network_insights_analyses(
        &self,
        ctx: &RequestContext,
        input: DescribeNetworkInsightsAnalysesRequest,
    ) -> Result<DescribeNetworkInsightsAnalysesResult, ApiError> {
        reachability::describe_analyses(self, ctx, input).await
    }

    async fn delete_network_insights_analysis(
        &self,
        ctx: &RequestContext,
        input: DeleteNetworkInsightsAnalysisRequest,
    ) -> Result<DeleteNetworkInsightsAnalysisResult, ApiError> {
        reachability::delete_analysis(self, ctx, input).await
    }

    async fn describe_tags(
        &self,
        ctx: &RequestContext,
        input: DescribeTagsRequest,
    ) -> Result<DescribeTagsResult, ApiError> {
        tags::describe(self, ctx, input).await
    }
}
