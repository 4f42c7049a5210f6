"""CDK stacks of the orders event fabric and the small constructs they are built from."""
