"""The service navigation and the home page's areas, registered by each feature's ``init_app``
(so a page exists in the navigation exactly when its feature does)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.core import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    capabilities: tuple[str, ...]  # any of them shows the link (the view itself still checks)
    order: int = 50


@dataclass(frozen=True)
class HomeArea:
    title: str
    description: str
    # (label, endpoint without arguments, capability or a tuple of them: any of them shows the link)
    links: tuple[tuple[str, str, str | tuple[str, ...]], ...]
    order: int = 50

    def links_for(self, user) -> list[tuple[str, str]]:
        return [
            (label, endpoint)
            for label, endpoint, capability in self.links
            if permissions.can_any(user, *((capability,) if isinstance(capability, str) else capability))
        ]


NAV: list[NavItem] = []
HOME_AREAS: list[HomeArea] = []


def nav_item(label: str, endpoint: str, *capabilities: str, order: int = 50) -> None:
    """Add a top-level page to the service navigation."""
    if not any(n.endpoint == endpoint for n in NAV):
        NAV.append(NavItem(label, endpoint, capabilities, order))
        NAV.sort(key=lambda n: n.order)


def nav_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [n for n in NAV if not n.capabilities or permissions.can_any(user, *n.capabilities)]


def home_area(title: str, description: str, links, order: int = 50) -> None:
    """Add an area of work to the home page: its links are shown to users holding their
    capability. Features sharing an area (administration) each add their links to it."""
    for i, area in enumerate(HOME_AREAS):
        if area.title == title:
            new = tuple(link for link in links if link not in area.links)
            HOME_AREAS[i] = HomeArea(area.title, area.description, area.links + new, area.order)
            return
    HOME_AREAS.append(HomeArea(title, description, tuple(links), order))
    HOME_AREAS.sort(key=lambda a: a.order)


def home_areas_for(user) -> list[tuple[HomeArea, list[tuple[str, str]]]]:
    """The areas the user can work in, each with the links the user may open."""
    return [(area, links) for area in HOME_AREAS if (links := area.links_for(user))]
