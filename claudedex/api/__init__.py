"""The control API: the engine's command set over HTTP(S), for web and mobile clients.

Why beside the Unix socket: the socket trusts whoever can open a file in the data dir; an
HTTP client needs an identity (a signed token naming a role), limits per identity, and an
audit row naming who did what. Both transports hand commands to the same dispatcher,
:func:`claudedex.control.commands.serve_command`.
"""
