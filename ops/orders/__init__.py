"""`python -m ops.orders`: an order's history with the execution behind each change, and its retry."""
