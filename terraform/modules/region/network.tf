# A small VPC whose only tenant is the internet-facing ALB: two public subnets in two AZs.

# Only real Availability Zones: an opted-in Local Zone or Wavelength Zone must not take a subnet
# (it would move the subnet and replace the ALB, which Local Zones do not even support).
data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:The subnets take the first two names (the provider returns them sorted) of zone-type availability-zone; a zone AWS adds later gets a later letter, so they stay.
  state = "available"

  filter {
    name   = "zone-type"
    values = ["availability-zone"]
  }
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:The VPC only holds the ALB (no instances); ALB request metrics and Lambda logs cover the traffic, flow logs would only add cost.
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = "${var.name_prefix}-${var.region}" }
}

# Take away the default security group's rules so nothing can use it by accident.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name_prefix}-${var.region}" }
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id                  = aws_vpc.this.id
  availability_zone       = data.aws_availability_zones.available.names[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index)
  map_public_ip_on_launch = false

  tags = { Name = "${var.name_prefix}-public-${data.aws_availability_zones.available.names[count.index]}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name_prefix}-public-${var.region}" }
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = 2

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}
