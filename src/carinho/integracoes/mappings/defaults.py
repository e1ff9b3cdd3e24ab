# ruff: noqa: E501 -- WhatsApp texts are kept on one line each, as they are sent
"""The default mapping of every automation and sync: version 1 of each pair, created by
`seed_default_mappings` (first start, `carinho seed`) when the pair has no version yet.

Input document: the event's payload, plus `_event` (id, type, source, created_at) and `_context`
(what earlier steps learned, e.g. the CRM lead id). A mapping whose output is null means "nothing to
send" (no phone, no UTM ...). WhatsApp texts are pt-BR and live here, so the team can change them
through the API (a new version) without a deploy.
"""

from __future__ import annotations

from dataclasses import dataclass

LEAD_SOURCES = "['whatsapp','site','manual','indicacao','marketing']"


@dataclass(frozen=True)
class DefaultMapping:
    event_type: str
    target_system: str
    spec: str
    description: str


def _mapping(event_type: str, target_system: str, description: str, spec: str) -> DefaultMapping:
    return DefaultMapping(event_type, target_system, " ".join(spec.split()), description)


DEFAULT_MAPPINGS: tuple[DefaultMapping, ...] = (
    # Module 1: WhatsApp -> CRM -> atendimento
    _mapping(
        "whatsapp.message.received",
        "crm",
        "Lead por telefone e interação (texto/mídia, id da mensagem Z-API)",
        """{
          lead: {phone: phone, name: from_me && chat_name || coalesce(sender_name, chat_name),
                 source: 'whatsapp'},
          interaction: compact({channel: 'whatsapp',
                 direction: from_me && 'outbound' || 'inbound',
                 summary: coalesce(text, media.caption, concat('[', kind, ']')),
                 message_type: kind, media_url: media.url, external_id: message_id,
                 occurred_at: moment})
        }""",
    ),
    _mapping(
        "whatsapp.message.received",
        "atendimento",
        "O callback original da Z-API, encaminhado ao atendimento",
        "raw",
    ),
    _mapping(
        "whatsapp.message.status",
        "atendimento",
        "O callback de status original da Z-API, encaminhado ao atendimento",
        "raw",
    ),
    _mapping(
        "whatsapp.delivery",
        "atendimento",
        "O callback de entrega original da Z-API (falha de envio), encaminhado ao atendimento",
        "raw",
    ),
    # Module 2: lead.created -> CRM, welcome WhatsApp, marketing attribution
    _mapping(
        "lead.created",
        "crm",
        "Lead com dados de origem (fonte, UTM, página, campos do formulário)",
        f"""{{
          lead: compact({{phone: phone, name: name, email: email,
                 source: contains({LEAD_SOURCES}, origin) && origin || 'site',
                 utm_source: utm_source, utm_medium: utm_medium, utm_campaign: utm_campaign,
                 utm_content: utm_content, utm_term: utm_term,
                 page_url: coalesce(page_url, page, landing_page), city: city, notes: message,
                 service_type: service_type, site_lead_id: lead_id, form: form}})
        }}""",
    ),
    _mapping(
        "lead.created",
        "zapi",
        "Mensagem automática de boas-vindas ao lead (WhatsApp)",
        """phone && {phone: phone, message: template(
          'Olá{nome}! Aqui é a Carinho com Você 💜 Recebemos seu contato e em instantes uma pessoa da nossa equipe vai falar com você. Enquanto isso, conte pra gente: o cuidado é para quem e em qual bairro?',
          {nome: first_name(name) && concat(', ', first_name(name)) || ''})} || null""",
    ),
    _mapping(
        "lead.created",
        "marketing",
        "Atribuição do lead à campanha pelos parâmetros UTM",
        """utm_campaign && {crm_lead_id: _context.crm_lead_id,
          attribution: compact({crm_lead_id: _context.crm_lead_id, utm_source: utm_source,
            utm_medium: utm_medium, utm_campaign: utm_campaign, utm_content: utm_content,
            utm_term: utm_term})} || null""",
    ),
    # Module 3: client.registered -> welcome e-mail, welcome WhatsApp, financeiro
    _mapping(
        "client.registered",
        "email",
        "E-mail de boas-vindas ao cliente (template welcome)",
        """email && {to: email, template: 'welcome', context: {client_name: first_name(name)}} || null""",
    ),
    _mapping(
        "client.registered",
        "zapi",
        "WhatsApp de boas-vindas ao cliente",
        """phone && {phone: phone, message: template(
          'Olá, {nome}! Seja muito bem-vindo(a) à Carinho com Você 💜 Nos próximos dias nossa equipe vai confirmar a escala e apresentar o(a) cuidador(a). Qualquer dúvida, é só responder por aqui.',
          {nome: first_name(name)})} || null""",
    ),
    _mapping(
        "client.registered",
        "financeiro",
        "Cliente no financeiro e cobrança recorrente dos contratos ativos",
        """{crm_client_id: client_id,
          customer: compact({name: name, email: email, phone: phone, cpf: _context.client.cpf,
                             address: _context.client.address}),
          subscriptions: _context.contracts[?status == 'ativo'].{crm_contract_id: id,
            crm_client_id: client_id, amount_cents: monthly_amount_cents, billing_day: billing_day,
            payment_method: payment_method, starts_on: start_date, ends_on: end_date,
            status: 'ativa', description: concat('Contrato ', id, ' - ', service_type)}}""",
    ),
    # Module 4: service.completed -> notify, feedback request 2 h later, feedback recorded
    _mapping(
        "service.completed",
        "zapi",
        "Aviso ao cliente de que o atendimento foi concluído",
        """client_phone && {phone: client_phone, message: template(
          'Olá, {nome}! O atendimento{quando}{por} foi concluído. Obrigado por confiar na Carinho com Você 💜',
          {nome: default(first_name(client_name), ''),
           quando: completed_at && concat(' do dia ', date_br(completed_at)) || '',
           por: caregiver_name && concat(' com ', caregiver_name) || ''})} || null""",
    ),
    _mapping(
        "feedback.requested",
        "zapi",
        "Pedido de avaliação por WhatsApp (nota de 0 a 10 e comentário)",
        """client_phone && {phone: client_phone, message: template(
          'Olá, {nome}! Como foi o atendimento{por}? De 0 a 10, quanto você recomendaria a Carinho com Você? Responda esta mensagem com a nota e, se quiser, um comentário (ex.: 10 Foi ótimo!). Se preferir, avalie pelo link: {link}',
          {nome: default(first_name(client_name), ''),
           por: caregiver_name && concat(' com ', caregiver_name) || '', link: feedback_url})} || null""",
    ),
    _mapping(
        "feedback.requested",
        "email",
        "Pedido de avaliação por e-mail (template feedback_request)",
        """client_email && {to: client_email, template: 'feedback_request',
          context: compact({client_name: default(first_name(client_name), 'cliente'),
            feedback_url: feedback_url, caregiver_name: caregiver_name,
            service_date: date_br(completed_at)})} || null""",
    ),
    _mapping(
        "feedback.received",
        "crm",
        "Avaliação registrada no CRM (nota de 0 a 10)",
        """compact({service_id: service_id, rating: rescale(rating, default(scale, `10`), `10`),
          comment: comment, client_id: to_int(client_id), caregiver_id: to_int(caregiver_id),
          channel: channel})""",
    ),
    _mapping(
        "feedback.received",
        "cuidadores",
        "Avaliação registrada no sistema de cuidadores (não reenvia o que veio de lá)",
        """caregiver_id && _event.source != 'cuidadores' && {caregiver_id: caregiver_id,
          feedback: compact({service_id: service_id,
            rating: rescale(rating, default(scale, `10`), `10`), comment: comment,
            crm_client_id: to_int(client_id)})} || null""",
    ),
    # Financeiro's payments and payouts, delivered to their subscribers
    _mapping(
        "payment.received",
        "crm",
        "Pagamento recebido, entregue ao CRM",
        """compact({payment_id: payment_id, client_id: client_id, invoice_id: invoice_id,
          amount_cents: cents(amount), currency: currency, method: method, status: status,
          paid_at: paid_at})""",
    ),
    _mapping(
        "payout.processed",
        "crm",
        "Repasse processado, entregue ao CRM",
        """compact({payout_id: payout_id, caregiver_id: caregiver_id, amount_cents: cents(amount),
          currency: currency, status: status, period_start: period_start, period_end: period_end,
          processed_at: processed_at})""",
    ),
    _mapping(
        "payout.processed",
        "cuidadores",
        "Repasse processado, entregue ao sistema de cuidadores",
        """compact({payout_id: payout_id, caregiver_id: caregiver_id, amount_cents: cents(amount),
          currency: currency, status: status, period_start: period_start, period_end: period_end,
          processed_at: processed_at})""",
    ),
    # Module 5: syncs (the record read from the source system is the input)
    _mapping(
        "sync.crm_operacao_contracts",
        "operacao",
        "Contrato e agenda do CRM para a operação",
        """{crm_client_id: client_id, client_name: _context.client.name,
          client_phone: _context.client.phone, address: _context.client.address,
          service_type: service_type, status: status, start_date: start_date, end_date: end_date,
          caregiver_id: caregiver_id, schedules: schedules}""",
    ),
    _mapping(
        "sync.operacao_financeiro_services",
        "financeiro",
        "Serviço executado na operação, para faturamento",
        """{crm_contract_id: crm_contract_id, crm_client_id: crm_client_id,
          service_date: service_date, hours: hours, amount_cents: billable_amount_cents,
          caregiver_id: caregiver_id}""",
    ),
    _mapping(
        "sync.crm_financeiro_billing",
        "financeiro",
        "Cobrança recorrente de um contrato do CRM",
        """{crm_client_id: client_id, amount_cents: monthly_amount_cents,
          billing_day: billing_day, payment_method: payment_method, starts_on: start_date,
          ends_on: end_date,
          status: status == 'ativo' && 'ativa' || (status == 'suspenso' && 'suspensa' || 'cancelada'),
          description: concat('Contrato ', id, ' - ', service_type)}""",
    ),
    _mapping(
        "sync.cuidadores_crm_caregivers",
        "crm",
        "Dados do cuidador para o CRM",
        """{name: name, phone: phone, email: email, status: status, skills: skills,
          neighborhoods: neighborhoods, city: city, rating_avg: rating_avg}""",
    ),
)
