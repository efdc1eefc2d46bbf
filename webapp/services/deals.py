"""Opportunities, proposals made from them and deals made from proposals; every write audited."""
from sqlalchemy import select

from ..extensions import db
from ..models import Contact, Deal, Opportunity, Proposal
from .audit import record_changes, record_created

STAGES = ("qualification", "needs", "proposal", "negotiation", "won", "lost")
PROPOSAL_STATUSES = ("draft", "sent", "accepted", "refused")
DEAL_STATUSES = ("won", "in_progress", "delivered", "cancelled")
COMMON = ("title", "amount", "owner_id")


class DealExistsError(Exception):
    """The proposal already has its deal: a proposal is signed once."""

    def __init__(self, deal: Deal):
        super().__init__(deal.id)
        self.deal = deal


def deal_of(proposal_id: int) -> Deal | None:
    """The deal made from a proposal, if any."""
    return db.session.scalars(select(Deal).where(Deal.proposal_id == proposal_id).order_by(Deal.id).limit(1)).first()


def _check(values: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")
    if values.get("amount") is not None and values["amount"] < 0:
        raise ValueError("negative amount")


def create_opportunity(contact: Contact, values: dict, user_id: int | None, via: str = "form") -> Opportunity:
    """An opportunity on the contact and its account; audited as one creation."""
    _check(values, (*COMMON, "stage", "expected_date"))
    if values.get("stage", "qualification") not in STAGES:
        raise ValueError(f"unknown stage {values['stage']!r}")
    opportunity = Opportunity(client_id=contact.client_id, contact_id=contact.id, **values)
    db.session.add(opportunity)
    db.session.flush()
    record_created("opportunity", opportunity.id, {"client_id": contact.client_id, "contact_id": contact.id, **values},
                   via, user_id)
    return opportunity


def create_proposal(opportunity: Opportunity, values: dict, user_id: int | None, via: str = "form") -> Proposal:
    """A proposal made from an opportunity (same account and contact); the opportunity moves to the Proposition
    stage when it was earlier than that."""
    _check(values, (*COMMON, "status", "sent_date"))
    if values.get("status", "draft") not in PROPOSAL_STATUSES:
        raise ValueError(f"unknown status {values['status']!r}")
    proposal = Proposal(client_id=opportunity.client_id, contact_id=opportunity.contact_id,
                        opportunity_id=opportunity.id, **values)
    db.session.add(proposal)
    db.session.flush()
    record_created("proposal", proposal.id, {"opportunity_id": opportunity.id, "client_id": opportunity.client_id,
                                             "contact_id": opportunity.contact_id, **values}, via, user_id)
    earlier = opportunity.stage not in STAGES or STAGES.index(opportunity.stage) < STAGES.index("proposal")
    if earlier:
        record_changes("opportunity", opportunity.id, {"stage": (opportunity.stage, "proposal")}, via, user_id)
        opportunity.stage = "proposal"
    return proposal


def create_deal(proposal: Proposal, values: dict, user_id: int | None, via: str = "form") -> Deal:
    """A deal made from a proposal (same account and contact): the proposal becomes accepted and its opportunity
    won. DealExistsError when the proposal already has its deal."""
    _check(values, (*COMMON, "status", "signed_date"))
    if values.get("status", "won") not in DEAL_STATUSES:
        raise ValueError(f"unknown status {values['status']!r}")
    # Lock the proposal (PostgreSQL) so that two submits at once cannot both find it without a deal.
    db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    if existing := deal_of(proposal.id):
        raise DealExistsError(existing)
    deal = Deal(client_id=proposal.client_id, contact_id=proposal.contact_id, proposal_id=proposal.id, **values)
    db.session.add(deal)
    db.session.flush()
    record_created("deal", deal.id, {"proposal_id": proposal.id, "client_id": proposal.client_id,
                                     "contact_id": proposal.contact_id, **values}, via, user_id)
    if proposal.status != "accepted":
        record_changes("proposal", proposal.id, {"status": (proposal.status, "accepted")}, via, user_id)
        proposal.status = "accepted"
    opportunity = proposal.opportunity
    if opportunity is not None and opportunity.stage != "won":
        record_changes("opportunity", opportunity.id, {"stage": (opportunity.stage, "won")}, via, user_id)
        opportunity.stage = "won"
    return deal
