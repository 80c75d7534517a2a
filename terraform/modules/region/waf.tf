# Optional (waf_rate_limit): a regional AWS WAF web ACL on the ALB whose one rule blocks a source IP
# that sends more than waf_rate_limit requests in 5 minutes. Callers of the regional ALB are limited
# one by one. Behind Global Accelerator (client IP preservation off, see modules/global_accelerator)
# the source is an accelerator edge address, so there the limit caps what one edge sends to a region.

resource "aws_wafv2_web_acl" "rate_limit" {
  #checkov:skip=CKV_AWS_192:The only route is POST an image to a Python Lambda (no Java, no Log4j); the ACL exists for its rate rule.
  #checkov:skip=CKV2_AWS_31:WAF logging needs a Firehose or log group named aws-waf-logs-* per region; the ALB and the Lambda's JSON request log already record each request.
  count = var.waf_rate_limit == null ? 0 : 1

  name        = "${var.name_prefix}-rate-limit"
  description = "Rate limit per client IP in front of the inference ALB"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 0

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name_prefix}-rate-limit-per-ip"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name_prefix}-rate-limit"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "alb" {
  count = var.waf_rate_limit == null ? 0 : 1

  resource_arn = aws_lb.this.arn
  web_acl_arn  = aws_wafv2_web_acl.rate_limit[0].arn
}
