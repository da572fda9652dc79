"""The interactive walkthrough: a thin Textual app over the headless runner (nothing else imports it)."""
