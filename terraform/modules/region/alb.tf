# Internet-facing ALB -> Lambda target group. The health check calls the Lambda, which answers 200
# only while the default model version is RUNNING: that is how Global Accelerator (which follows
# the ALB's health) routes around a region whose model is not running.

locals {
  listener_ports = var.alb_certificate_arn == null ? [80] : [80, 443]
}

resource "aws_security_group" "alb" {
  name        = "${var.name_prefix}-alb"
  description = "Inference ALB: HTTP(S) from anywhere; no egress needed for Lambda targets"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name_prefix}-alb-${var.region}" }
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  #checkov:skip=CKV_AWS_260:The ALB is the public inference endpoint on its listener ports only: callers reach it from anywhere, directly or through Global Accelerator (client IP preservation off, so from the accelerator's edge addresses).
  for_each = toset([for port in local.listener_ports : tostring(port)])

  security_group_id = aws_security_group.alb.id
  description       = "Inference requests on port ${each.value}"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket per region with the ELB account's grant; the Lambda writes one JSON log line per inference request (inference/request_log.py).
  #checkov:skip=CKV2_AWS_28:WAF is optional (waf_rate_limit, off by default: a web ACL costs per region and month); when set, waf.tf associates a rate-based web ACL.
  #checkov:skip=CKV2_AWS_76:The optional web ACL holds a rate rule only: the only route is an image POST to a Python Lambda (no Java, no Log4j).
  #checkov:skip=CKV2_AWS_20:No redirect: API clients call port 80 through Global Accelerator unless alb_certificate_arns adds the HTTPS:443 listener (README: HTTPS), which serves the same target; a redirect would break the plain-HTTP default.
  #checkov:skip=CKV_AWS_150:Deletion protection is a variable (alb_deletion_protection), off by default so `terraform destroy` cleans up like the seed's `cdk destroy`.
  name                       = local.alb_name
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection

  depends_on = [aws_route.internet]
}

resource "aws_lb_target_group" "lambda" {
  name                               = local.target_group_name
  target_type                        = "lambda"
  lambda_multi_value_headers_enabled = false

  health_check {
    enabled             = true
    path                = var.health_check_path
    matcher             = "200"
    interval            = 35
    timeout             = 30
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lambda_permission" "alb" {
  statement_id  = "AllowInvokeFromTargetGroup"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.inference.function_name
  principal     = "elasticloadbalancing.amazonaws.com"
  source_arn    = aws_lb_target_group.lambda.arn
}

resource "aws_lb_target_group_attachment" "lambda" {
  target_group_arn = aws_lb_target_group.lambda.arn
  target_id        = aws_lambda_function.inference.arn

  depends_on = [aws_lambda_permission.alb]
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Global Accelerator forwards TCP 80 as is; set alb_certificate_arn to add an HTTPS:443 listener.
  #checkov:skip=CKV_AWS_103:Plain HTTP listener (no TLS to configure); the optional HTTPS:443 listener uses ELBSecurityPolicy-TLS13-1-2-2021-06.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.lambda.arn
  }
}

resource "aws_lb_listener" "https" {
  count = var.alb_certificate_arn == null ? 0 : 1

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.alb_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.lambda.arn
  }
}
