"""HTTP for the registry: the routes of areas, buildings, party branches, companies and
their contacts, in the order the API documents list them."""

from __future__ import annotations

from coordinator.registry.areas.views import routes as areas
from coordinator.registry.branches.views import routes as branches
from coordinator.registry.buildings.views import routes as buildings
from coordinator.registry.companies.views import routes as companies
from coordinator.registry.contacts.views import routes as contacts
from coordinator.web.api import ApiRoutes

routes = ApiRoutes(
    [
        operation
        for part in (areas, buildings, branches, companies, contacts)
        for operation in part.operations
    ]
)
