"""Order intake: SQS messages from producers become PENDING orders in the table, exactly once, or a rejection."""
