//! EC2: the account's instances and VPCs, so an endpoint's host is placed from
//! evidence (an EC2 instance of the account, an address inside or outside every VPC
//! CIDR) rather than guessed from its name.

use super::{Clients, Context};
use crate::facts::{Ec2Instance, Vpc};

/// The region's VPCs; `None` when DescribeVpcs failed (a gap).
pub async fn vpcs(c: &Clients, ctx: &Context) -> Option<Vec<Vpc>> {
    let (pages, sources) = ctx
        .call(
            "ec2",
            "DescribeVpcs",
            &c.region,
            None,
            c.ec2
                .describe_vpcs()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Some(
        pages
            .iter()
            .flat_map(|p| p.vpcs())
            .map(|v| {
                let mut cidrs: Vec<String> =
                    v.cidr_block().map(str::to_string).into_iter().collect();
                for a in v.cidr_block_association_set() {
                    if let Some(block) = a.cidr_block()
                        && !cidrs.iter().any(|c| c == block)
                    {
                        cidrs.push(block.to_string());
                    }
                }
                Vpc {
                    region: c.region.clone(),
                    id: v.vpc_id().unwrap_or_default().to_string(),
                    cidrs,
                    sources: sources.clone(),
                }
            })
            .collect(),
    )
}

/// The region's EC2 instances with every address and DNS name they answer on;
/// `None` when DescribeInstances failed (a gap).
pub async fn instances(c: &Clients, ctx: &Context) -> Option<Vec<Ec2Instance>> {
    let (pages, sources) = ctx
        .call(
            "ec2",
            "DescribeInstances",
            &c.region,
            None,
            c.ec2
                .describe_instances()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    let mut out = Vec::new();
    for i in pages
        .iter()
        .flat_map(|p| p.reservations())
        .flat_map(|r| r.instances())
    {
        let mut private_ips: Vec<String> = Vec::new();
        let mut public_ips: Vec<String> = Vec::new();
        let mut dns_names: Vec<String> = Vec::new();
        let add = |list: &mut Vec<String>, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty())
                && !list.iter().any(|x| x == v)
            {
                list.push(v.to_string());
            }
        };
        add(&mut private_ips, i.private_ip_address());
        add(&mut public_ips, i.public_ip_address());
        add(&mut dns_names, i.private_dns_name());
        add(&mut dns_names, i.public_dns_name());
        for ni in i.network_interfaces() {
            add(&mut private_ips, ni.private_ip_address());
            add(&mut dns_names, ni.private_dns_name());
            for a in ni.private_ip_addresses() {
                add(&mut private_ips, a.private_ip_address());
                add(&mut dns_names, a.private_dns_name());
                if let Some(assoc) = a.association() {
                    add(&mut public_ips, assoc.public_ip());
                    add(&mut dns_names, assoc.public_dns_name());
                }
            }
            if let Some(assoc) = ni.association() {
                add(&mut public_ips, assoc.public_ip());
                add(&mut dns_names, assoc.public_dns_name());
            }
        }
        out.push(Ec2Instance {
            region: c.region.clone(),
            id: i.instance_id().unwrap_or_default().to_string(),
            state: i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string()),
            vpc_id: i.vpc_id().map(str::to_string),
            private_ips,
            public_ips,
            dns_names,
            sources: sources.clone(),
        });
    }
    Some(out)
}
