"""A customer's personal data: erased (GDPR article 17) or exported (article 15) with `python -m ops.privacy`."""
