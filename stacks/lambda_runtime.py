"""The one Lambda runtime and platform every function and the dependencies layer are built for."""

from aws_cdk import aws_lambda as lambda_

# Python 3.14 is the newest runtime both aws-cdk-lib 2.275 and Powertools 3.37 support.
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_14
PYTHON_VERSION = "3.14"
# Graviton: about 20% cheaper per GB-second than x86_64.
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_PLATFORM = "manylinux2014_aarch64"
