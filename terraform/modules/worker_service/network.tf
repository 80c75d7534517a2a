# Where the worker runs: given private subnets, or a small VPC of its own (two private subnets whose only way
# out is one NAT gateway in a public subnet). The security group lets nothing in and only HTTPS (AWS APIs) and
# the Temporal port out.

locals {
  create_vpc = length(var.subnet_ids) == 0
  vpc_id     = local.create_vpc ? aws_vpc.this[0].id : var.vpc_id
  subnet_ids = local.create_vpc ? aws_subnet.private[*].id : var.subnet_ids

  temporal_port = tonumber(split(":", var.temporal_address)[1])
  egress_ports  = toset([for port in distinct([443, local.temporal_port]) : tostring(port)])
}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only zone-type availability-zone (no Local or Wavelength Zones); the subnets take the first two names, which do not change when AWS adds a zone (it gets a later letter).
  count = local.create_vpc ? 1 : 0
  state = "available"

  filter {
    name   = "zone-type"
    values = ["availability-zone"]
  }
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:The VPC holds only the worker, which accepts no connections; its calls are recorded by CloudTrail (AWS APIs) and Temporal (workflow history), so flow logs would only add cost.
  count                = local.create_vpc ? 1 : 0
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = "${var.name_prefix}-worker" }
}

# Take away the default security group's rules so nothing can use it by accident.
resource "aws_default_security_group" "this" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.this[0].id
}

resource "aws_subnet" "private" {
  count             = local.create_vpc ? 2 : 0
  vpc_id            = aws_vpc.this[0].id
  availability_zone = data.aws_availability_zones.available[0].names[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 2, count.index + 1)

  tags = { Name = "${var.name_prefix}-worker-private-${data.aws_availability_zones.available[0].names[count.index]}" }
}

resource "aws_subnet" "public" {
  count             = local.create_vpc ? 1 : 0
  vpc_id            = aws_vpc.this[0].id
  availability_zone = data.aws_availability_zones.available[0].names[0]
  cidr_block        = cidrsubnet(var.vpc_cidr, 2, 0)
  # Only the NAT gateway lives here, with its own Elastic IP.
  map_public_ip_on_launch = false

  tags = { Name = "${var.name_prefix}-worker-public" }
}

resource "aws_internet_gateway" "this" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.this[0].id

  tags = { Name = "${var.name_prefix}-worker" }
}

resource "aws_eip" "nat" {
  count  = local.create_vpc ? 1 : 0
  domain = "vpc"

  tags       = { Name = "${var.name_prefix}-worker-nat" }
  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count         = local.create_vpc ? 1 : 0
  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id

  tags = { Name = "${var.name_prefix}-worker" }
}

resource "aws_route_table" "public" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.this[0].id

  tags = { Name = "${var.name_prefix}-worker-public" }
}

resource "aws_route" "public_internet" {
  count                  = local.create_vpc ? 1 : 0
  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count          = local.create_vpc ? 1 : 0
  subnet_id      = aws_subnet.public[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_route_table" "private" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.this[0].id

  tags = { Name = "${var.name_prefix}-worker-private" }
}

resource "aws_route" "private_nat" {
  count                  = local.create_vpc ? 1 : 0
  route_table_id         = aws_route_table.private[0].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}

resource "aws_route_table_association" "private" {
  count          = local.create_vpc ? 2 : 0
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

resource "aws_security_group" "worker" {
  name        = "${var.name_prefix}-worker"
  description = "Temporal worker: no ingress; egress to AWS APIs (443) and the Temporal frontend"
  vpc_id      = local.vpc_id

  tags = { Name = "${var.name_prefix}-worker" }

  lifecycle {
    precondition {
      condition     = local.create_vpc || var.vpc_id != null
      error_message = "vpc_id is required with subnet_ids (the security group lives in that VPC)."
    }
  }
}

resource "aws_vpc_security_group_egress_rule" "worker" {
  for_each = local.egress_ports

  security_group_id = aws_security_group.worker.id
  description       = each.value == "443" ? "AWS APIs (HTTPS)" : "Temporal frontend"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
}
