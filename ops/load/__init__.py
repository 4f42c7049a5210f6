"""`python -m ops.load`: orders sent through the intake queue at a rate, each followed to its end, and an account of
what happened to every one of them."""
