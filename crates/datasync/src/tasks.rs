//! Tasks: a source, a destination and the options a transfer runs with.

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::model::{LocationRec, OptionsRec, ScheduleRec, TaskRec};
use crate::schedule::Schedule;
use crate::{DataSync, errors, filters, locations, new_arn, now_ms, reports, tags, views};

/// A schedule as given, checked; `previous` keeps its status time when
/// only the expression changes.
fn schedule(given: &TaskSchedule, previous: Option<&ScheduleRec>) -> Result<ScheduleRec, ApiError> {
    Schedule::parse(&given.schedule_expression).map_err(errors::invalid)?;
    let status = given.status.map_or("ENABLED", |s| s.as_str()).to_string();
    let unchanged = previous.filter(|p| p.status == status);
    Ok(ScheduleRec {
        expression: given.schedule_expression.clone(),
        status_updated_ms: unchanged.map_or_else(now_ms, |p| p.status_updated_ms),
        disabled_by: (status == "DISABLED").then(|| "USER".to_string()),
        disabled_reason: None,
        status,
    })
}

fn schedule_view(s: &ScheduleRec) -> (TaskSchedule, TaskScheduleDetails) {
    (
        TaskSchedule {
            schedule_expression: s.expression.clone(),
            status: ScheduleStatus::parse(&s.status),
        },
        TaskScheduleDetails {
            status_update_time: Some(Timestamp::from_millis(s.status_updated_ms)),
            disabled_reason: s.disabled_reason.clone(),
            disabled_by: s.disabled_by.as_deref().and_then(ScheduleDisabledBy::parse),
        },
    )
}

/// `options` over `base`: what is given replaces, the rest stays.
pub fn merge_options(base: &OptionsRec, options: Option<&Options>) -> Result<OptionsRec, ApiError> {
    let mut out = base.clone();
    let Some(o) = options else {
        return Ok(out);
    };
    if let Some(v) = o.verify_mode {
        out.verify_mode = v.as_str().to_string();
    }
    if let Some(v) = o.overwrite_mode {
        out.overwrite_mode = v.as_str().to_string();
    }
    if let Some(v) = o.transfer_mode {
        out.transfer_mode = v.as_str().to_string();
    }
    if let Some(v) = o.preserve_deleted_files {
        out.preserve_deleted_files = v.as_str().to_string();
    }
    if let Some(v) = o.task_queueing {
        out.task_queueing = v.as_str().to_string();
    }
    if let Some(v) = o.log_level {
        out.log_level = v.as_str().to_string();
    }
    if let Some(v) = o.atime {
        out.atime = v.as_str().to_string();
    }
    if let Some(v) = o.mtime {
        out.mtime = v.as_str().to_string();
    }
    if let Some(v) = o.uid {
        out.uid = v.as_str().to_string();
    }
    if let Some(v) = o.gid {
        out.gid = v.as_str().to_string();
    }
    if let Some(v) = o.preserve_devices {
        out.preserve_devices = v.as_str().to_string();
    }
    if let Some(v) = o.posix_permissions {
        out.posix_permissions = v.as_str().to_string();
    }
    if let Some(v) = o.security_descriptor_copy_flags {
        out.security_descriptor_copy_flags = v.as_str().to_string();
    }
    if let Some(v) = o.object_tags {
        out.object_tags = v.as_str().to_string();
    }
    if let Some(v) = o.bytes_per_second {
        if v != -1 && v < 1 {
            return Err(errors::invalid("BytesPerSecond must be -1 (no limit) or at least 1"));
        }
        out.bytes_per_second = v;
    }
    // DataSync refuses combinations that cannot work.
    if out.transfer_mode == "ALL" && out.preserve_deleted_files == "REMOVE" {
        return Err(errors::invalid(
            "Invalid SyncOption value. Option: TransferMode,PreserveDeletedFiles, Value: ALL,REMOVE.",
        ));
    }
    // Access times are kept only with modification times (AWS: BEST_EFFORT
    // needs Mtime PRESERVE, NONE needs Mtime NONE).
    if (out.atime == "BEST_EFFORT") != (out.mtime == "PRESERVE") {
        return Err(errors::invalid(format!(
            "Invalid SyncOption value. Option: Atime,Mtime, Value: {},{}.",
            out.atime, out.mtime
        )));
    }
    Ok(out)
}

/// Between two object stores there are no POSIX owners or permissions to
/// keep: DataSync refuses options that ask for them, when they are asked.
pub fn check_non_posix(
    options: Option<&Options>,
    source: &LocationRec,
    destination: &LocationRec,
) -> Result<(), ApiError> {
    let Some(o) = options else {
        return Ok(());
    };
    if source.is_posix() || destination.is_posix() {
        return Ok(());
    }
    let asked = [
        ("PosixPermissions", o.posix_permissions.map(|v| v.as_str())),
        ("Uid", o.uid.map(|v| v.as_str())),
        ("Gid", o.gid.map(|v| v.as_str())),
    ];
    for (option, value) in asked {
        if let Some(v) = value.filter(|v| *v != "NONE") {
            return Err(errors::invalid(format!(
                "Invalid SyncOption value. Option: {option}, Value: {v} invalid for non-POSIX transfer. please use NONE."
            )));
        }
    }
    Ok(())
}

pub fn options_view(o: &OptionsRec) -> Options {
    Options {
        verify_mode: VerifyMode::parse(&o.verify_mode),
        overwrite_mode: OverwriteMode::parse(&o.overwrite_mode),
        transfer_mode: TransferMode::parse(&o.transfer_mode),
        preserve_deleted_files: PreserveDeletedFiles::parse(&o.preserve_deleted_files),
        task_queueing: TaskQueueing::parse(&o.task_queueing),
        log_level: LogLevel::parse(&o.log_level),
        bytes_per_second: Some(o.bytes_per_second),
        atime: Atime::parse(&o.atime),
        mtime: Mtime::parse(&o.mtime),
        uid: Uid::parse(&o.uid),
        gid: Gid::parse(&o.gid),
        preserve_devices: PreserveDevices::parse(&o.preserve_devices),
        posix_permissions: PosixPermissions::parse(&o.posix_permissions),
        security_descriptor_copy_flags: SmbSecurityDescriptorCopyFlags::parse(&o.security_descriptor_copy_flags),
        object_tags: ObjectTags::parse(&o.object_tags),
        ..Default::default()
    }
}

/// Patterns back as DataSync shows them: one rule, `|`-separated.
pub fn filter_view(patterns: &[String]) -> Option<Vec<FilterRule>> {
    (!patterns.is_empty()).then(|| {
        vec![FilterRule {
            filter_type: Some(FilterType::SimplePattern),
            value: Some(patterns.join("|")),
        }]
    })
}

pub fn find<'a>(state: &'a crate::State, ctx: &RequestContext, arn: &str) -> Result<&'a TaskRec, ApiError> {
    state
        .tasks
        .get(arn)
        .filter(|t| t.account == ctx.account_id && t.region == ctx.region)
        .ok_or_else(|| errors::not_found(arn))
}

/// AVAILABLE, or QUEUED/RUNNING while one of its executions is.
pub fn status(state: &crate::State, task: &TaskRec) -> TaskStatus {
    let live: Vec<&str> = state
        .executions
        .values()
        .filter(|e| e.task_arn == task.arn && !e.finished())
        .map(|e| e.status.as_str())
        .collect();
    if live.iter().any(|s| *s != "QUEUED") {
        TaskStatus::Running
    } else if live.is_empty() {
        TaskStatus::Available
    } else {
        TaskStatus::Queued
    }
}

pub async fn create(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateTaskRequest,
) -> Result<CreateTaskResponse, ApiError> {
    let report = reports::config(ds, input.task_report_config.as_ref()).await?;
    let mut state = ds.state().write().await;
    let source = locations::find(&state, ctx, &input.source_location_arn)?;
    let destination = locations::find(&state, ctx, &input.destination_location_arn)?;
    check_non_posix(input.options.as_ref(), source, destination)?;
    if input.source_location_arn == input.destination_location_arn {
        return Err(errors::invalid("The source and destination locations must differ"));
    }
    let rec = TaskRec {
        arn: new_arn(ctx, "task", "task"),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        created_ms: now_ms(),
        name: input.name,
        source: input.source_location_arn,
        destination: input.destination_location_arn,
        options: merge_options(&OptionsRec::default(), input.options.as_ref())?,
        includes: filters::patterns(input.includes.as_deref())?,
        excludes: filters::patterns(input.excludes.as_deref())?,
        tags: tags::from_input(input.tags)?,
        report,
        schedule: input.schedule.as_ref().map(|s| schedule(s, None)).transpose()?,
    };
    ds.save("task", &rec.account, &rec.region, &rec.arn, &rec).await?;
    let arn = rec.arn.clone();
    state.tasks.insert(arn.clone(), rec);
    Ok(CreateTaskResponse { task_arn: Some(arn) })
}

pub async fn describe(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeTaskRequest,
) -> Result<DescribeTaskResponse, ApiError> {
    let state = ds.state().read().await;
    let t = find(&state, ctx, &input.task_arn)?;
    let current = state
        .executions
        .values()
        .filter(|e| e.task_arn == t.arn && !e.finished())
        .min_by_key(|e| e.started_ms)
        .map(|e| e.arn.clone());
    Ok(DescribeTaskResponse {
        task_arn: Some(t.arn.clone()),
        status: Some(status(&state, t)),
        name: t.name.clone(),
        current_task_execution_arn: current,
        source_location_arn: Some(t.source.clone()),
        destination_location_arn: Some(t.destination.clone()),
        options: Some(options_view(&t.options)),
        includes: filter_view(&t.includes),
        excludes: filter_view(&t.excludes),
        creation_time: Some(Timestamp::from_millis(t.created_ms)),
        task_mode: Some(TaskMode::Basic),
        task_report_config: t.report.as_ref().map(reports::view),
        schedule: t.schedule.as_ref().map(|s| schedule_view(s).0),
        schedule_details: t.schedule.as_ref().map(|s| schedule_view(s).1),
        ..Default::default()
    })
}

pub async fn update(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateTaskRequest,
) -> Result<UpdateTaskResponse, ApiError> {
    let report = reports::config(ds, input.task_report_config.as_ref()).await?;
    let mut state = ds.state().write().await;
    let mut t = find(&state, ctx, &input.task_arn)?.clone();
    if let (Some(s), Some(d)) = (state.locations.get(&t.source), state.locations.get(&t.destination)) {
        check_non_posix(input.options.as_ref(), s, d)?;
    }
    t.options = merge_options(&t.options, input.options.as_ref())?;
    if report.is_some() {
        t.report = report;
    }
    if let Some(s) = &input.schedule {
        // An empty expression removes the schedule.
        t.schedule = if s.schedule_expression.is_empty() {
            None
        } else {
            Some(schedule(s, t.schedule.as_ref())?)
        };
    }
    if input.name.is_some() {
        t.name = input.name;
    }
    if let Some(rules) = input.includes.as_deref() {
        t.includes = filters::patterns(Some(rules))?;
    }
    if let Some(rules) = input.excludes.as_deref() {
        t.excludes = filters::patterns(Some(rules))?;
    }
    ds.save("task", &t.account, &t.region, &t.arn, &t).await?;
    state.tasks.insert(t.arn.clone(), t);
    Ok(UpdateTaskResponse {})
}

pub async fn delete(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DeleteTaskRequest,
) -> Result<DeleteTaskResponse, ApiError> {
    let mut state = ds.state().write().await;
    let t = find(&state, ctx, &input.task_arn)?.clone();
    if status(&state, &t) != TaskStatus::Available {
        return Err(errors::invalid(
            "A task cannot be deleted while an execution of it is queued or running",
        ));
    }
    ds.forget("task", &t.account, &t.region, &t.arn).await?;
    state.tasks.remove(&t.arn);
    Ok(DeleteTaskResponse {})
}

pub async fn list(ds: &DataSync, ctx: &RequestContext, input: ListTasksRequest) -> Result<ListTasksResponse, ApiError> {
    let state = ds.state().read().await;
    let filters = input.filters.unwrap_or_default();
    let mut matching = Vec::new();
    for t in state
        .tasks
        .values()
        .filter(|t| t.account == ctx.account_id && t.region == ctx.region)
    {
        let mut keep = true;
        for f in &filters {
            keep &= match f.name {
                // A task matches a location id when it reads or writes there.
                TaskFilterName::LocationId => {
                    views::filter_matches(&t.source, f.operator, &f.values, false)?
                        || views::filter_matches(&t.destination, f.operator, &f.values, false)?
                }
                TaskFilterName::CreationTime => {
                    views::filter_matches(&t.created_ms.to_string(), f.operator, &f.values, true)?
                }
            };
        }
        if keep {
            matching.push(TaskListEntry {
                task_arn: Some(t.arn.clone()),
                status: Some(status(&state, t)),
                name: t.name.clone(),
                task_mode: Some(TaskMode::Basic),
            });
        }
    }
    let (page, next_token) = views::page(matching, input.max_results, input.next_token.as_deref())?;
    Ok(ListTasksResponse {
        tasks: Some(page),
        next_token,
    })
}
