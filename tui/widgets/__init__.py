"""The console's panes: each takes data handed down by the app and posts selections up."""
