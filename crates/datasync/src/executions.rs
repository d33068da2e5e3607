//! Task executions: started, queued behind the task's earlier ones, run by
//! `engine.rs`, described with live counters, cancelled.

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::model::{Counters, ExecutionRec, Phase};
use crate::{DataSync, engine, errors, filters, new_id, now_ms, reports, tags, tasks, views};

pub async fn start(
    ds: &DataSync,
    ctx: &RequestContext,
    input: StartTaskExecutionRequest,
) -> Result<StartTaskExecutionResponse, ApiError> {
    let report = reports::config(ds, input.task_report_config.as_ref()).await?;
    let mut state = ds.state().write().await;
    let task = tasks::find(&state, ctx, &input.task_arn)?.clone();
    let options = tasks::merge_options(&task.options, input.override_options.as_ref())?;
    if let (Some(s), Some(d)) = (
        state.locations.get(&task.source),
        state.locations.get(&task.destination),
    ) {
        tasks::check_non_posix(input.override_options.as_ref(), s, d)?;
    }
    if options.task_queueing == "DISABLED" && tasks::status(&state, &task) != TaskStatus::Available {
        return Err(errors::invalid(
            "The task is already running and TaskQueueing is disabled",
        ));
    }
    let rec = ExecutionRec {
        arn: format!("{}/execution/{}", task.arn, new_id("exec")),
        task_arn: task.arn.clone(),
        account: task.account.clone(),
        region: task.region.clone(),
        started_ms: now_ms(),
        status: "QUEUED".into(),
        options,
        includes: match input.includes.as_deref() {
            Some(rules) => filters::patterns(Some(rules))?,
            None => task.includes.clone(),
        },
        excludes: match input.excludes.as_deref() {
            Some(rules) => filters::patterns(Some(rules))?,
            None => task.excludes.clone(),
        },
        tags: tags::from_input(input.tags)?,
        counters: Counters::default(),
        prepare: Phase::default(),
        transfer: Phase::default(),
        verify: Phase::default(),
        total_ms: 0,
        error_code: None,
        error_detail: None,
        launched_ms: None,
        ended_ms: None,
        report: report.or_else(|| task.report.clone()),
        report_result: None,
    };
    ds.save("execution", &rec.account, &rec.region, &rec.arn, &rec).await?;
    let arn = rec.arn.clone();
    state.executions.insert(arn.clone(), rec);
    drop(state);
    tokio::spawn(engine::run(ds.clone(), arn.clone()));
    Ok(StartTaskExecutionResponse {
        task_execution_arn: Some(arn),
    })
}

fn find<'a>(state: &'a crate::State, ctx: &RequestContext, arn: &str) -> Result<&'a ExecutionRec, ApiError> {
    state
        .executions
        .get(arn)
        .filter(|e| e.account == ctx.account_id && e.region == ctx.region)
        .ok_or_else(|| errors::not_found(arn))
}

fn phase_status(p: &Phase) -> Option<PhaseStatus> {
    PhaseStatus::parse(&p.status)
}

pub async fn describe(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeTaskExecutionRequest,
) -> Result<DescribeTaskExecutionResponse, ApiError> {
    let state = ds.state().read().await;
    let e = find(&state, ctx, &input.task_execution_arn)?;
    let c = &e.counters;
    Ok(DescribeTaskExecutionResponse {
        task_execution_arn: Some(e.arn.clone()),
        status: TaskExecutionStatus::parse(&e.status),
        options: Some(tasks::options_view(&e.options)),
        includes: tasks::filter_view(&e.includes),
        excludes: tasks::filter_view(&e.excludes),
        start_time: Some(Timestamp::from_millis(e.started_ms)),
        estimated_files_to_transfer: Some(c.estimated_files),
        estimated_bytes_to_transfer: Some(c.estimated_bytes),
        files_prepared: Some(c.files_prepared),
        files_transferred: Some(c.files_transferred),
        bytes_written: Some(c.bytes_written),
        bytes_transferred: Some(c.bytes_transferred),
        bytes_compressed: Some(c.bytes_transferred),
        files_verified: Some(c.files_verified),
        files_skipped: Some(c.files_skipped),
        files_deleted: Some(c.files_deleted),
        result: Some(TaskExecutionResultDetail {
            prepare_duration: Some(e.prepare.duration_ms),
            prepare_status: phase_status(&e.prepare),
            transfer_duration: Some(e.transfer.duration_ms),
            transfer_status: phase_status(&e.transfer),
            verify_duration: Some(e.verify.duration_ms),
            verify_status: phase_status(&e.verify),
            total_duration: Some(e.total_ms),
            error_code: e.error_code.clone(),
            error_detail: e.error_detail.clone(),
        }),
        task_mode: Some(TaskMode::Basic),
        files_failed: Some(TaskExecutionFilesFailedDetail {
            prepare: Some(c.failed.prepare),
            transfer: Some(c.failed.transfer),
            verify: Some(c.failed.verify),
            delete: Some(c.failed.delete),
        }),
        files_listed: Some(TaskExecutionFilesListedDetail {
            at_source: Some(c.listed_at_source),
            at_destination_for_delete: Some(c.listed_at_destination),
        }),
        launch_time: e.launched_ms.map(Timestamp::from_millis),
        end_time: e.ended_ms.map(Timestamp::from_millis),
        task_report_config: e.report.as_ref().map(reports::view),
        report_result: e.report_result.as_ref().map(|r| ReportResult {
            status: PhaseStatus::parse(&r.status),
            error_code: r.error_code.clone(),
            error_detail: r.error_detail.clone(),
        }),
        ..Default::default()
    })
}

pub async fn list(
    ds: &DataSync,
    ctx: &RequestContext,
    input: ListTaskExecutionsRequest,
) -> Result<ListTaskExecutionsResponse, ApiError> {
    let state = ds.state().read().await;
    if let Some(t) = &input.task_arn {
        tasks::find(&state, ctx, t)?;
    }
    let mut found: Vec<&ExecutionRec> = state
        .executions
        .values()
        .filter(|e| e.account == ctx.account_id && e.region == ctx.region)
        .filter(|e| input.task_arn.as_ref().is_none_or(|t| *t == e.task_arn))
        .collect();
    found.sort_by_key(|e| e.started_ms);
    let entries = found
        .into_iter()
        .map(|e| TaskExecutionListEntry {
            task_execution_arn: Some(e.arn.clone()),
            status: TaskExecutionStatus::parse(&e.status),
            task_mode: Some(TaskMode::Basic),
        })
        .collect();
    let (page, next_token) = views::page(entries, input.max_results, input.next_token.as_deref())?;
    Ok(ListTaskExecutionsResponse {
        task_executions: Some(page),
        next_token,
    })
}

pub async fn cancel(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CancelTaskExecutionRequest,
) -> Result<CancelTaskExecutionResponse, ApiError> {
    let mut state = ds.state().write().await;
    let mut e = find(&state, ctx, &input.task_execution_arn)?.clone();
    if e.finished() {
        return Err(errors::invalid(format!(
            "Cannot cancel a task execution that is not running: {} is {}",
            e.arn, e.status
        )));
    }
    ds.request_cancel(&e.arn);
    // A queued execution never starts; a running one stops between files.
    if e.status == "QUEUED" {
        engine::end_in_error(&mut e, "OpCancelled", "Cancelled by the user");
    } else {
        e.status = "CANCELLING".into();
    }
    ds.save("execution", &e.account, &e.region, &e.arn, &e).await?;
    state.executions.insert(e.arn.clone(), e);
    Ok(CancelTaskExecutionResponse {})
}

/// Changes a running execution's BytesPerSecond, the one option DataSync
/// lets an execution change; the transfer follows from the next file.
pub async fn update(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateTaskExecutionRequest,
) -> Result<UpdateTaskExecutionResponse, ApiError> {
    let mut state = ds.state().write().await;
    let mut e = find(&state, ctx, &input.task_execution_arn)?.clone();
    if e.finished() {
        return Err(errors::invalid(format!(
            "The task execution {} has already finished",
            e.arn
        )));
    }
    if input.options.bytes_per_second.is_none() {
        return Err(errors::invalid(
            "Only BytesPerSecond can be updated on a task execution",
        ));
    }
    let others = Options {
        bytes_per_second: None,
        ..input.options.clone()
    };
    if others != Options::default() {
        return Err(errors::invalid(
            "Only BytesPerSecond can be updated on a task execution",
        ));
    }
    e.options = tasks::merge_options(&e.options, Some(&input.options))?;
    ds.save("execution", &e.account, &e.region, &e.arn, &e).await?;
    state.executions.insert(e.arn.clone(), e);
    Ok(UpdateTaskExecutionResponse {})
}
