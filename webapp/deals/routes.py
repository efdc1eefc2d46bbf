"""Affaires of a contact: add an opportunity, make a proposal from it and a deal from the proposal; list them."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import rights
from ..access import requires
from ..dialogs import form_response, remember, repeat_of, saved
from ..errors import render_error
from ..extensions import db
from ..form_fields import local_today
from ..htmx import render
from ..models import Deal, Opportunity, Proposal
from ..return_urls import local_url
from ..scope import client_visible, get_contact_or_404
from ..services import deals as service
from . import bp
from .forms import DEAL_STATUSES, PROPOSAL_STATUSES, STAGES, DealForm, OpportunityForm, ProposalForm


@bp.get("/contacts/<id:contact_id>/deals")
@requires(rights.CONTACTS_LIST)
def for_contact(contact_id: int):
    """The contact's opportunities, proposals and deals; htmx refreshes the lists after a save."""
    contact = get_contact_or_404(current_user, contact_id)
    lists = {name: db.session.scalars(select(model).where(model.contact_id == contact.id)
                                      .options(selectinload(model.owner))
                                      .order_by(model.created_at.desc(), model.id.desc())).all()
             for name, model in (("opportunities", Opportunity), ("proposals", Proposal), ("deals", Deal))}
    block = "lists" if request.headers.get("HX-Target") == "deals-lists" else None
    return render("deals/for_contact.html", block, contact=contact, stage_labels=dict(STAGES),
                  signed_proposals={deal.proposal_id for deal in lists["deals"]},
                  proposal_labels=dict(PROPOSAL_STATUSES), deal_labels=dict(DEAL_STATUSES), **lists)


@bp.route("/contacts/<id:contact_id>/opportunities/new", methods=["GET", "POST"])
@requires(rights.DEALS)
def new_opportunity(contact_id: int):
    """Add an opportunity to a contact and its account: in a dialog for htmx, as a page otherwise."""
    contact = get_contact_or_404(current_user, contact_id)
    form = OpportunityForm(owner_id=contact.owner_id or current_user.id)
    next_url = local_url(request.args.get("next"), url_for("contacts.show", contact_id=contact.id))
    if (created := repeat_of(form, Opportunity)) is None and form.validate_on_submit():
        created = remember(form, service.create_opportunity(contact, form.values(), current_user.id))
    if created is not None:  # created now, or by an earlier submit of this form (a double click, a retry)
        return saved(_("L'opportunité « %(title)s » a été ajoutée.", title=created.title), next_url)
    return form_response("partials/deals/_form.html", _("Ajouter une opportunité · %(name)s",
                                                        name=contact.display_name),
                         form, next_url, form_id="opportunity-form",
                         action=url_for(".new_opportunity", contact_id=contact.id, next=request.args.get("next")))


@bp.route("/opportunities/<id:opportunity_id>/proposals/new", methods=["GET", "POST"])
@requires(rights.DEALS)
def new_proposal(opportunity_id: int):
    """Make a proposal from an opportunity, its title, amount and owner proposed."""
    opportunity = _visible_or_404(Opportunity, opportunity_id)
    form = ProposalForm(data={"title": opportunity.title, "amount": opportunity.amount,
                              "owner_id": opportunity.owner_id})
    next_url = _next_url(opportunity)
    if (created := repeat_of(form, Proposal)) is None and form.validate_on_submit():
        created = remember(form, service.create_proposal(opportunity, form.values(), current_user.id))
    if created is not None:  # created now, or by an earlier submit of this form (a double click, a retry)
        return saved(_("La proposition « %(title)s » a été créée.", title=created.title), next_url)
    return form_response("partials/deals/_form.html", _("Faire une proposition · %(title)s", title=opportunity.title),
                         form, next_url, form_id="proposal-form",
                         action=url_for(".new_proposal", opportunity_id=opportunity.id, next=request.args.get("next")))


@bp.route("/proposals/<id:proposal_id>/deals/new", methods=["GET", "POST"])
@requires(rights.DEALS)
def new_deal(proposal_id: int):
    """Make a deal (affaire) from a proposal, which becomes accepted, its opportunity won; signed today unless
    told otherwise. A proposal has one deal: asking for a second answers 409."""
    proposal = _visible_or_404(Proposal, proposal_id)
    form = DealForm(data={"title": proposal.title, "amount": proposal.amount, "owner_id": proposal.owner_id,
                          "signed_date": local_today()})
    next_url = _next_url(proposal)
    # A repeat of the submit that made the deal answers as the first did; any other request finds it made.
    if (created := repeat_of(form, Deal)) is None and (existing := service.deal_of(proposal.id)):
        return _deal_exists(existing)
    if created is None and form.validate_on_submit():
        try:
            created = remember(form, service.create_deal(proposal, form.values(), current_user.id))
        except service.DealExistsError as error:  # made by someone else since the check above
            return _deal_exists(error.deal)
    if created is not None:  # created now, or by an earlier submit of this form (a double click, a retry)
        return saved(_("L'affaire « %(title)s » a été créée.", title=created.title), next_url)
    return form_response("partials/deals/_form.html", _("Créer une affaire · %(title)s", title=proposal.title),
                         form, next_url, form_id="deal-form",
                         action=url_for(".new_deal", proposal_id=proposal.id, next=request.args.get("next")))


def _deal_exists(deal: Deal):
    """409: the proposal already has its deal (a second one would count the sale twice)."""
    return render_error(409, _("Cette proposition a déjà son affaire « %(title)s » : une proposition ne donne "
                               "qu'une affaire.", title=deal.title))


def _visible_or_404(model, record_id: int):
    """An opportunity or proposal of an account the user may see; 404 otherwise."""
    record = db.session.scalars(select(model).where(model.id == record_id,
                                                    client_visible(current_user, model.client_id))).first()
    if record is None:
        abort(404)
    return record


def _next_url(record) -> str:
    """After a save without JavaScript: the page asked for, else the contact's affaires (or the account)."""
    if record.contact_id:
        default = url_for(".for_contact", contact_id=record.contact_id)
    else:
        default = url_for("clients.show", client_id=record.client_id)
    return local_url(request.args.get("next"), default)
