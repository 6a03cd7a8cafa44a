# Bootstrap: the app registrations exoform itself signs in as, from GitHub Actions with
# workload identity federation (no stored secret).
#
# Two apps, so that a pull request can only read: "exoform plan" holds read permissions and
# trusts pull requests and the main branch of the repository (the nightly drift check);
# "exoform apply" holds write permissions and trusts only the production environment.
#
# Run it once as an administrator (Application Administrator plus Privileged Role
# Administrator), then give the plan app's service principal the Global Reader directory
# role and the apply app's the Exchange Administrator role (see README.md: exoform does not
# manage directory roles yet).
#
#   exoform plan --sim
#   exoform apply --sim

exoform {
  workspace = "exoform-bootstrap"
}

tenant {
  id = var.tenant_id
}

variable "tenant_id" {
  type    = string
  default = "contoso.onmicrosoft.com"
}

variable "repository" {
  type        = string
  description = "The GitHub repository (owner/name) that runs exoform."
  default     = "contoso/mail-config"
}

locals {
  github_issuer = "https://token.actions.githubusercontent.com"
}

resource "entra_application" "plan" {
  display_name = "exoform plan"
  notes        = "Reads the tenant for exoform plan in pull requests. Managed by exoform (examples/bootstrap)."

  api_permission {
    api       = "Microsoft Graph"
    app_roles = ["Application.Read.All", "Directory.Read.All", "Policy.Read.All"]
  }

  # Exchange Online: the cmdlets run app-only; the directory role decides what they may do.
  api_permission {
    api       = "Office 365 Exchange Online"
    app_roles = ["Exchange.ManageAsApp"]
  }

  admin_consent = true

  federated_identity_credential {
    name        = "github-pull-requests"
    issuer      = local.github_issuer
    subject     = "repo:${var.repository}:pull_request"
    audiences   = ["api://AzureADTokenExchange"]
    description = "exoform plan on pull requests"
  }

  # The nightly drift check and the re-plan before a manual apply run on main, outside any
  # environment, and read the tenant as this app.
  federated_identity_credential {
    name        = "github-main-branch"
    issuer      = local.github_issuer
    subject     = "repo:${var.repository}:ref:refs/heads/main"
    audiences   = ["api://AzureADTokenExchange"]
    description = "exoform plan on main: nightly drift check and re-plan"
  }
}

resource "entra_application" "apply" {
  display_name = "exoform apply"
  notes        = "Changes the tenant for exoform apply on merge. Managed by exoform (examples/bootstrap)."

  api_permission {
    api = "Microsoft Graph"
    app_roles = [
      "Application.ReadWrite.All",
      "AppRoleAssignment.ReadWrite.All",
      "DelegatedPermissionGrant.ReadWrite.All",
      "Directory.Read.All",
      "Policy.Read.All",
      "Policy.ReadWrite.SecurityDefaults",
    ]
  }

  api_permission {
    api       = "Office 365 Exchange Online"
    app_roles = ["Exchange.ManageAsApp"]
  }

  admin_consent = true

  federated_identity_credential {
    name        = "github-main"
    issuer      = local.github_issuer
    subject     = "repo:${var.repository}:environment:production"
    audiences   = ["api://AzureADTokenExchange"]
    description = "exoform apply on merge to main, in the production environment"
  }
}

output "plan_client_id" {
  description = "AZURE_CLIENT_ID for the pull-request workflow."
  value       = entra_application.plan.app_id
}

output "apply_client_id" {
  description = "AZURE_CLIENT_ID for the apply workflow."
  value       = entra_application.apply.app_id
}
