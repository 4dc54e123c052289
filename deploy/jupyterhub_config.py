"""The team server: `make team` runs `jupyterhub -f deploy/jupyterhub_config.py`.

Everything is set by environment variables (defaults in brackets):
  TEAM_HOST [127.0.0.1], TEAM_PORT [8000]      the address people open
  TEAM_HUB_PORT [8081], TEAM_PROXY_API_PORT [8001]  loopback ports of the hub and proxy API
  TEAM_STATE [var/hub]                          hub database, cookie secret, users' homes
  TEAM_ADMINS [admin]                           comma-separated hub admins (approve sign-ups)
  TEAM_MEM_LIMIT [1G]                           memory cap of each user's server process
  TEAM_POOL [staff=1]                           preheated kernels per page on each page server
                                                (PLAYBOOK_POOL: staff=N,lessons=N,training=N)
  TEAM_POOL_REFILL [1]                          0: preheat each page only when the person's
                                                server starts, not again once it is taken
  TEAM_CULL_TIMEOUT [3600], TEAM_CULL_EVERY [300]  idle servers stopped after (seconds)
  PLAYBOOK_DB_URL [config/playbook.toml: var/cases.sqlite3]  the shared case store;
                                                a PostgreSQL URL for teams on several machines
  TEAM_REMIND_EVERY [900]                       seconds between deadline-reminder runs (0: off)
  PLAYBOOK_SECRETS_FILE, PLAYBOOK_SMTP_PASSWORD, ...  the reminder channels' secrets; given to
                                                the reminders service only, never to user servers
"""

import os
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
for folder in (str(DEPLOY), str(REPO)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

from team_auth import PlaybookAuthenticator  # noqa: E402
from team_server import (  # noqa: E402
    LEAD_SCOPES,
    PlaybookSpawner,
    roles_of,
    server_token_scopes,
)

from playbook.cases.roles import ROLES  # noqa: E402

c = get_config()  # noqa: F821
env = os.environ
state = Path(env.get("TEAM_STATE", REPO / "var" / "hub")).resolve()
state.mkdir(parents=True, exist_ok=True)

# --- addresses: the proxy is public (TEAM_HOST), the hub and the proxy API stay on loopback
c.JupyterHub.ip = env.get("TEAM_HOST", "127.0.0.1")
c.JupyterHub.port = int(env.get("TEAM_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env.get("TEAM_HUB_PORT", "8081"))
proxy_api = int(env.get("TEAM_PROXY_API_PORT", "8001"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api}"
# configurable-http-proxy from npm, installed by `make team-setup` under var/node
chp = REPO / "var" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(chp)]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# --- sign-in: NativeAuthenticator (sign-up, an admin approves at /hub/authorize)
# NativeAuthenticator with its refusals in plain words (a locked account is told so and for
# how long): deploy/team_auth.py
c.JupyterHub.authenticator_class = PlaybookAuthenticator
c.NativeAuthenticator.enable_signup = True
c.NativeAuthenticator.open_signup = False  # every new account waits for an admin's approval
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 3  # then locked out for a while
c.NativeAuthenticator.seconds_before_next_try = 600
c.Authenticator.admin_users = {a.strip() for a in env.get("TEAM_ADMINS", "admin").split(",")}
c.Authenticator.allow_all = True  # NativeAuthenticator itself lets in approved accounts only

# --- roles are hub groups: an admin puts people in them (hub admin page or REST API)
c.JupyterHub.load_groups = {role: {"users": []} for role in ROLES}

# --- one local process per user (no system accounts), landing by group, memory-capped
c.JupyterHub.spawner_class = PlaybookSpawner
c.PlaybookSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.mem_limit = env.get("TEAM_MEM_LIMIT", "1G")
if os.geteuid() == 0:  # containers and CI run as root; user servers run as the hub's user
    c.Spawner.args = ["--allow-root"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PLAYBOOK_ROLES": roles_of,  # called with the spawner at each start
    "PYTHONPATH": os.pathsep.join([str(REPO), str(DEPLOY)]),
    "JUPYTER_PLATFORM_DIRS": "1",
    "JUPYTER_PATH": str(REPO / "share" / "jupyter"),  # the playbook page template
    "PLAYBOOK_POOL": env.get("TEAM_POOL", "staff=1"),
    "PLAYBOOK_POOL_REFILL": env.get("TEAM_POOL_REFILL", "1"),
}
c.Spawner.env_keep = [
    "PATH",
    "LANG",
    "LC_ALL",
    "VIRTUAL_ENV",
    "PLAYBOOK_DB_URL",
    "PLAYBOOK_DATA_DIR",
    "PLAYBOOK_VAR_DIR",
    "PLAYBOOK_CONFIG",
]

# --- idle servers are stopped (their kernels with them)
cull_timeout = env.get("TEAM_CULL_TIMEOUT", "3600")
cull_every = env.get("TEAM_CULL_EVERY", "300")
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={cull_timeout}",
            f"--cull-every={cull_every}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    # Leads assign cases on the staff page to members of the staff group: their page server
    # reads the group with its own token (team_server.server_token_scopes asks for this scope
    # for leads' servers only; the hub grants it because the lead group holds it).
    {"name": "staff-list", "scopes": list(LEAD_SCOPES), "groups": ["lead"]},
]
c.Spawner.server_token_scopes = server_token_scopes

# --- deadline reminders: `python -m playbook remind` every TEAM_REMIND_EVERY seconds, as a
# managed service (the hub restarts it if it stops). It may read hub groups: the members of
# `lead` get the unassigned cases. Only this service gets the PLAYBOOK_* settings and secrets.
remind_every = float(env.get("TEAM_REMIND_EVERY", "900"))
if remind_every > 0:
    c.JupyterHub.services.append(
        {
            "name": "reminders",
            "command": [sys.executable, "-m", "playbook", "remind", f"--every={remind_every:g}"],
            "cwd": str(REPO),
            "environment": {
                "PYTHONPATH": str(REPO),
                **{k: v for k, v in env.items() if k.startswith("PLAYBOOK_")},
            },
        }
    )
    c.JupyterHub.load_roles.append(
        {"name": "reminders", "scopes": ["read:groups"], "services": ["reminders"]}
    )
