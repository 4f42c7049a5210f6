"""Operator tooling that runs on a workstation with AWS credentials (not deployed)."""
