"""Hosting the reader over ssh (asyncssh), one child process per session."""
