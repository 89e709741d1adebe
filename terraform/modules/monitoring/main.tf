# monitoring - the alert topic, alarms, dashboard and monthly budget.
#
# Alarms: CPU and memory > 80 % per service; ALB 5xx > 10 per minute;
# unhealthy targets; RDS free storage < 20 %; no running nginx or worker task
# (RunningTaskCount is published by Container Insights in
# ECS/ContainerInsights, not AWS/ECS); the worker's heartbeat stale per city
# (metric WorkerHeartbeat, emitted by the worker, see terraform/README.md);
# Redis memory.  Every alarm notifies the SNS topic on ALARM and OK.  The
# alarms on one metric are one map (local.alarm_specs: what each watches,
# once, per service or per city) made into resources by one for_each.
#
# The topic is not KMS-encrypted: CloudWatch and AWS Budgets cannot publish
# to a topic under the AWS-managed SNS key, and alerts carry no secrets.

locals {
  actions = [aws_sns_topic.alerts.arn]
  services = {
    nginx  = var.nginx_service_name
    worker = var.worker_service_name
  }
}

resource "aws_sns_topic" "alerts" {
  name = "${var.name}-alerts"
}

data "aws_iam_policy_document" "alerts" {
  statement {
    sid       = "CloudWatchAndBudgetsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alert_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

# --- alarms on one metric each ------------------------------------------------------
# per: "service" (one alarm per ECS service, dimensions ClusterName and
# ServiceName), "city" (one per city, dimension City) or "once" (dimensions
# as given).  unit_name names the alarm and the description.

locals {
  alarm_specs = {
    cpu-high = {
      per                = "service", namespace = "AWS/ECS", metric_name = "CPUUtilization", statistic = "Average"
      period             = 60, evaluation_periods = 5, threshold = 80, comparison_operator = "GreaterThanThreshold"
      treat_missing_data = "notBreaching", dimensions = {}
      description        = "average CPU above 80 % for 5 minutes"
    }
    memory-high = {
      per                = "service", namespace = "AWS/ECS", metric_name = "MemoryUtilization", statistic = "Average"
      period             = 60, evaluation_periods = 5, threshold = 80, comparison_operator = "GreaterThanThreshold"
      treat_missing_data = "notBreaching", dimensions = {}
      description        = "average memory above 80 % for 5 minutes"
    }
    # RunningTaskCount is Container Insights', in ECS/ContainerInsights
    no-running-task = {
      per                = "service", namespace = "ECS/ContainerInsights", metric_name = "RunningTaskCount", statistic = "Minimum"
      period             = 60, evaluation_periods = 3, threshold = 1, comparison_operator = "LessThanThreshold"
      treat_missing_data = "breaching", dimensions = {}
      description        = "no running task for 3 minutes"
    }
    worker-heartbeat-stale = {
      per                = "city", namespace = var.metrics_namespace, metric_name = "WorkerHeartbeat", statistic = "Sum"
      period             = 60, evaluation_periods = var.heartbeat_stale_minutes, threshold = 1, comparison_operator = "LessThanThreshold"
      treat_missing_data = "breaching", dimensions = {}
      description        = "no worker tick in ${var.heartbeat_stale_minutes} minutes: see docs/runbooks/feed-down.md"
    }
    alb-unhealthy-hosts = {
      per                = "once", namespace = "AWS/ApplicationELB", metric_name = "UnHealthyHostCount", statistic = "Maximum"
      period             = 60, evaluation_periods = 3, threshold = 0, comparison_operator = "GreaterThanThreshold"
      treat_missing_data = "notBreaching", dimensions = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
      description        = "an nginx target failed /api/livez (nginx or its Redis connection) for 3 minutes"
    }
    rds-free-storage-low = {
      per                = "once", namespace = "AWS/RDS", metric_name = "FreeStorageSpace", statistic = "Minimum"
      period             = 300, evaluation_periods = 2, threshold = var.rds_allocated_storage_gb * 1024 * 1024 * 1024 * 0.2, comparison_operator = "LessThanThreshold"
      treat_missing_data = "breaching", dimensions = { DBInstanceIdentifier = var.rds_instance_id }
      description        = "RDS free storage below 20 % of ${var.rds_allocated_storage_gb} GB: see docs/runbooks/database-full.md"
    }
    rds-cpu-high = {
      per                = "once", namespace = "AWS/RDS", metric_name = "CPUUtilization", statistic = "Average"
      period             = 300, evaluation_periods = 2, threshold = 80, comparison_operator = "GreaterThanThreshold"
      treat_missing_data = "notBreaching", dimensions = { DBInstanceIdentifier = var.rds_instance_id }
      description        = "RDS CPU above 80 % for 10 minutes"
    }
    redis-memory-high = {
      per                = "once", namespace = "AWS/ElastiCache", metric_name = "DatabaseMemoryUsagePercentage", statistic = "Maximum"
      period             = 300, evaluation_periods = 2, threshold = 80, comparison_operator = "GreaterThanThreshold"
      treat_missing_data = "notBreaching", dimensions = { CacheClusterId = var.redis_cache_cluster_id }
      description        = "Redis memory above 80 %"
    }
  }

  # alarm name suffix => spec with its dimensions
  alarms = merge([
    for kind, a in local.alarm_specs : (
      a.per == "service" ? {
        for svc, service in local.services : "${svc}-${kind}" => merge(a, {
          dimensions = { ClusterName = var.cluster_name, ServiceName = service }
          what       = svc
        })
      } :
      a.per == "city" ? {
        for city in var.cities : "${kind}-${city}" => merge(a, {
          dimensions = { City = city }
          what       = city
        })
      } :
      { (kind) = merge(a, { what = "" }) }
    )
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each            = local.alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.what == "" ? each.value.description : "${each.value.what}: ${each.value.description}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison_operator
  treat_missing_data  = each.value.treat_missing_data
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# the alarms' addresses before they were one map
moved {
  from = aws_cloudwatch_metric_alarm.cpu_high["nginx"]
  to   = aws_cloudwatch_metric_alarm.this["nginx-cpu-high"]
}
moved {
  from = aws_cloudwatch_metric_alarm.cpu_high["worker"]
  to   = aws_cloudwatch_metric_alarm.this["worker-cpu-high"]
}
moved {
  from = aws_cloudwatch_metric_alarm.memory_high["nginx"]
  to   = aws_cloudwatch_metric_alarm.this["nginx-memory-high"]
}
moved {
  from = aws_cloudwatch_metric_alarm.memory_high["worker"]
  to   = aws_cloudwatch_metric_alarm.this["worker-memory-high"]
}
moved {
  from = aws_cloudwatch_metric_alarm.no_running_task["nginx"]
  to   = aws_cloudwatch_metric_alarm.this["nginx-no-running-task"]
}
moved {
  from = aws_cloudwatch_metric_alarm.no_running_task["worker"]
  to   = aws_cloudwatch_metric_alarm.this["worker-no-running-task"]
}
moved {
  from = aws_cloudwatch_metric_alarm.unhealthy_hosts
  to   = aws_cloudwatch_metric_alarm.this["alb-unhealthy-hosts"]
}
moved {
  from = aws_cloudwatch_metric_alarm.rds_free_storage_low
  to   = aws_cloudwatch_metric_alarm.this["rds-free-storage-low"]
}
moved {
  from = aws_cloudwatch_metric_alarm.rds_cpu_high
  to   = aws_cloudwatch_metric_alarm.this["rds-cpu-high"]
}
moved {
  from = aws_cloudwatch_metric_alarm.redis_memory_high
  to   = aws_cloudwatch_metric_alarm.this["redis-memory-high"]
}

# --- ALB ----------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "more than 10 HTTP 5xx per minute (targets and the ALB itself)"
  evaluation_periods  = 1
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "total"
    expression  = "FILL(target, 0) + FILL(elb, 0)"
    label       = "5xx per minute"
    return_data = true
  }

  metric_query {
    id = "target"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "elb"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }
}

# --- dashboard -------------------------------------------------------------------

locals {
  widget = {
    type   = "metric"
    width  = 12
    height = 6
  }
  ecs_dims = { for k, v in local.services : k => ["ClusterName", var.cluster_name, "ServiceName", v] }
  widgets = [
    merge(local.widget, { properties = {
      title   = "ECS CPU % (nginx, worker)", region = var.region, stat = "Average", period = 60
      metrics = [for k, d in local.ecs_dims : concat(["AWS/ECS", "CPUUtilization"], d, [{ label = k }])]
    } }),
    merge(local.widget, { properties = {
      title   = "ECS memory % (nginx, worker)", region = var.region, stat = "Average", period = 60
      metrics = [for k, d in local.ecs_dims : concat(["AWS/ECS", "MemoryUtilization"], d, [{ label = k }])]
    } }),
    merge(local.widget, { properties = {
      title   = "Running tasks", region = var.region, stat = "Minimum", period = 60
      metrics = [for k, d in local.ecs_dims : concat(["ECS/ContainerInsights", "RunningTaskCount"], d, [{ label = k }])]
    } }),
    merge(local.widget, { properties = {
      title = "ALB requests and 5xx per minute", region = var.region, stat = "Sum", period = 60
      metrics = [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.alb_arn_suffix],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.alb_arn_suffix],
        ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", var.alb_arn_suffix],
      ]
    } }),
    merge(local.widget, { properties = {
      title = "ALB target response time (p50, p99)", region = var.region, period = 60
      metrics = [
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p50" }],
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p99" }],
      ]
    } }),
    merge(local.widget, { properties = {
      title   = "Worker heartbeats per minute", region = var.region, stat = "Sum", period = 60
      metrics = [for c in var.cities : [var.metrics_namespace, "WorkerHeartbeat", "City", c]]
    } }),
    merge(local.widget, { properties = {
      title = "RDS CPU %, connections, free storage", region = var.region, stat = "Average", period = 300
      metrics = [
        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.rds_instance_id],
        ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.rds_instance_id],
        ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.rds_instance_id, { yAxis = "right" }],
      ]
    } }),
    merge(local.widget, { properties = {
      title = "Redis CPU %, memory %, connections", region = var.region, stat = "Average", period = 300
      metrics = [
        ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", var.redis_cache_cluster_id],
        ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", var.redis_cache_cluster_id],
        ["AWS/ElastiCache", "CurrConnections", "CacheClusterId", var.redis_cache_cluster_id, { yAxis = "right" }],
      ]
    } }),
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}

# --- budget ------------------------------------------------------------------------

# only this environment's costs: every resource carries the Environment
# tag (the roots' default_tags), activated as a cost allocation tag by
# terraform/bootstrap
resource "aws_budgets_budget" "monthly" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.budget_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:Environment$%s", var.environment)]
  }

  dynamic "notification" {
    for_each = var.budget_alert_percentages
    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value
      threshold_type             = "PERCENTAGE"
      notification_type          = "ACTUAL"
      subscriber_sns_topic_arns  = local.actions
      subscriber_email_addresses = var.alert_email == "" ? [] : [var.alert_email]
    }
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_sns_topic_arns  = local.actions
    subscriber_email_addresses = var.alert_email == "" ? [] : [var.alert_email]
  }
}
