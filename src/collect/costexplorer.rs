//! Cost Explorer: the DMS usage AWS billed the account, month by month, over the months
//! Cost Explorer keeps: supporting evidence that DMS ran in a month (it shows an instance
//! was billed, not what it moved), never enough alone for an item.
//!
//! One GetCostAndUsage query (Cost Explorer API Reference, GetCostAndUsage): `MONTHLY`,
//! the metric `UsageQuantity`, filtered on `SERVICE` = "AWS Database Migration Service"
//! and `LINKED_ACCOUNT` = the case study's account (a management account sees its
//! members' costs too), grouped by `USAGE_TYPE` (whose billing prefix names the region;
//! `REGION` is not among the dimensions the reference lists for GroupBy). The API "can
//! access up to 13 months of historical data and data for the current month" and each
//! request, each page included, costs USD 0.01 (Cost Management User Guide, "Best
//! practices for the AWS Cost Explorer API"): one query, paged only if AWS pages it,
//! starting 12 months back so that a clock difference at a month's change cannot put the
//! start outside what AWS answers. Its endpoint is
//! `ce.us-east-1.amazonaws.com` (AWS CLI Command Reference, `ce`), so the client is
//! built for us-east-1 whatever the case study's regions.

use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition,
    GroupDefinitionType, ResultByTime,
};

use super::Context;
use crate::facts::{BilledUsage, BillingRead};
use crate::time::Timestamp;

/// The region Cost Explorer answers in.
pub const REGION: &str = "us-east-1";
/// DMS's name in the `SERVICE` dimension (the service names of the Billing User Guide,
/// "Tracking your AWS Free Tier usage", which lists `Global-InstanceUsg:dms.t2.micro`).
pub const DMS_SERVICE: &str = "AWS Database Migration Service";
/// Historical months read before the current one: one inside the 13 the API reaches.
pub const HISTORY_MONTHS: u32 = 12;
/// The metric read: instance hours and the other DMS quantities.
const METRIC: &str = "UsageQuantity";

/// The first day of the month [`HISTORY_MONTHS`] before this one, and today (the query's
/// exclusive end: today's figures are not complete), both `YYYY-MM-DD`.
pub fn period(today: Timestamp) -> (String, String) {
    (today.month_start_before(HISTORY_MONTHS), today.date())
}

/// The cheapest query `doctor` asks (one day, DMS only): it still costs USD 0.01.
pub fn cheapest(
    ce: &aws_sdk_costexplorer::Client,
) -> aws_sdk_costexplorer::operation::get_cost_and_usage::builders::GetCostAndUsageFluentBuilder {
    let today = Timestamp::now();
    ce.get_cost_and_usage()
        .set_time_period(
            DateInterval::builder()
                .start((today - crate::time::DAY).date())
                .end(today.date())
                .build()
                .ok(),
        )
        .granularity(Granularity::Daily)
        .metrics(METRIC)
        .filter(dimension(Dimension::Service, DMS_SERVICE))
}

/// A filter on one value of one Cost Explorer dimension.
fn dimension(key: Dimension, value: &str) -> Expression {
    Expression::builder()
        .dimensions(DimensionValues::builder().key(key).values(value).build())
        .build()
}

/// The account's billed DMS usage; `None` when the query failed (a gap names
/// `ce:GetCostAndUsage`).
pub async fn dms_usage(
    ce: &aws_sdk_costexplorer::Client,
    account: &str,
    ctx: &Context,
) -> Option<(Vec<BilledUsage>, BillingRead)> {
    let (since, until) = period(Timestamp::now());
    let interval = DateInterval::builder()
        .start(&since)
        .end(&until)
        .build()
        .ok()?;
    let filter = Expression::builder()
        .and(dimension(Dimension::Service, DMS_SERVICE))
        .and(dimension(Dimension::LinkedAccount, account))
        .build();
    let group = |key: &str| {
        GroupDefinition::builder()
            .r#type(GroupDefinitionType::Dimension)
            .key(key)
            .build()
    };
    let mut usage = Vec::new();
    let mut sources_all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let request = ce
            .get_cost_and_usage()
            .time_period(interval.clone())
            .granularity(Granularity::Monthly)
            .metrics(METRIC)
            .filter(filter.clone())
            .group_by(group("USAGE_TYPE"))
            .set_next_page_token(token.clone())
            .send();
        let (page, sources) = ctx
            .call("ce", "GetCostAndUsage", REGION, None, request)
            .await?;
        for result in page.results_by_time() {
            usage.extend(month(result, &sources));
        }
        sources_all.extend(sources);
        token = page.next_page_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    usage.sort_by(|a, b| (&a.month, &a.usage_type).cmp(&(&b.month, &b.usage_type)));
    let read = BillingRead {
        since,
        until,
        sources: sources_all,
    };
    Some((usage, read))
}

/// The groups of one month's result: the usage type (the one key) and the metric.
fn month(result: &ResultByTime, sources: &[String]) -> Vec<BilledUsage> {
    let Some(month) = result
        .time_period()
        .and_then(|p| p.start().get(0..7))
        .map(str::to_string)
    else {
        return Vec::new();
    };
    result
        .groups()
        .iter()
        .filter_map(|g| {
            let [usage_type] = g.keys() else {
                return None;
            };
            let metric = g.metrics()?.get(METRIC)?;
            Some(BilledUsage {
                month: month.clone(),
                usage_type: usage_type.clone(),
                amount: metric.amount()?.to_string(),
                unit: metric.unit().unwrap_or_default().to_string(),
                estimated: result.estimated(),
                sources: sources.to_vec(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_is_the_twelve_months_before_this_one_and_this_one_up_to_today() {
        for (today, since) in [
            ("2026-12-06T10:00:00Z", "2025-12-01"),
            ("2026-01-01T00:00:00Z", "2025-01-01"),
            ("2026-02-28T23:59:59Z", "2025-02-01"),
        ] {
            assert_eq!(
                period(today.into()),
                (since.to_string(), today[..10].to_string()),
                "{today}"
            );
        }
    }

    #[test]
    fn a_month_keeps_each_usage_type_and_skips_malformed_groups() {
        use aws_sdk_costexplorer::types::{Group, MetricValue};
        let metric = |amount: &str| MetricValue::builder().amount(amount).unit("Hrs").build();
        let result = ResultByTime::builder()
            .time_period(
                DateInterval::builder()
                    .start("2026-09-01")
                    .end("2026-10-01")
                    .build()
                    .expect("interval"),
            )
            .groups(
                Group::builder()
                    .keys("EUW2-InstanceUsg:dms.r5.large")
                    .metrics(METRIC, metric("312.5"))
                    .build(),
            )
            .groups(
                Group::builder()
                    .keys("two")
                    .keys("keys")
                    .metrics(METRIC, metric("1"))
                    .build(),
            )
            .groups(Group::builder().keys("no-metric").build())
            .estimated(true)
            .build();
        let got = month(&result, &["c1".into()]);
        assert_eq!(got.len(), 1);
        let u = &got[0];
        assert_eq!(
            (
                u.month.as_str(),
                u.usage_type.as_str(),
                u.amount.as_str(),
                u.unit.as_str()
            ),
            ("2026-09", "EUW2-InstanceUsg:dms.r5.large", "312.5", "Hrs")
        );
        assert!(u.estimated && u.used());
        let zero = BilledUsage {
            amount: "0".into(),
            ..u.clone()
        };
        assert!(!zero.used());
    }
}
