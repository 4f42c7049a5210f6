"""Lambda handlers, one package per function, with shared code in `lambdas.shared`."""
