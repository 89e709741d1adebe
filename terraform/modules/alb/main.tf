# alb - the public entry: HTTP 80 redirects to HTTPS 443 (TLS 1.2/1.3, ACM
# certificate), which forwards to the nginx tasks on the app port.  The
# target group's health check is /api/livez: the task's nginx answers and
# its own Redis connection works (a task stuck on a stale Redis address
# leaves the rotation and ECS replaces it).  Never the worker's freshness
# (/api/readyz): a worker restart or a Spot reclaim must not take the API
# down; stale data shows as stale:true and the heartbeat alarm instead.

resource "aws_lb" "this" {
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [var.security_group_id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  enable_http2               = true
  idle_timeout               = 60
}

resource "aws_lb_target_group" "nginx" {
  name                 = "${var.name}-nginx"
  port                 = var.target_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.nginx.arn
  }
}
