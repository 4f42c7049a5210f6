"""`orders`: one command for every operator tool (installed with the project as a console script)."""
