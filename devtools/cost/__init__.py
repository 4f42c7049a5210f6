"""`make cost`: what an environment costs a month at a traffic profile, line by line, from its synthesized templates."""
