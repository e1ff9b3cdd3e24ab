"""Brazilian Portuguese material for the atendimento data sets: names, places, what families write
on WhatsApp and what attendants answer. Used by `bench/atendimento_data.py`."""

# Long word lists are written as one string each and split (SIM905 would make them a word a line).
# ruff: noqa: SIM905

from __future__ import annotations

FIRST_NAMES = (
    "Maria Ana Francisca Antônia Adriana Juliana Márcia Fernanda Patrícia Aline Sandra Camila "
    "Amanda Bruna Jéssica Letícia Júlia Luciana Vanessa Mariana Gabriela Renata Cláudia Simone "
    "Débora Rosângela Conceição Helena José João Antônio Francisco Carlos Paulo Pedro Lucas Luiz "
    "Marcos Luís Gabriel Rafael Daniel Marcelo Bruno Eduardo Felipe Raimundo Rodrigo Sebastião "
    "Fábio Vinícius Thiago Geraldo Benedito Otávio Sérgio André"
).split()
LAST_NAMES = (
    "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro "
    "Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento "
    "Andrade Moreira Nunes Marques Machado Mendes Freitas Cardoso Ramos Gonçalves Santana "
    "Teixeira Araújo Conceição Brandão Magalhães Assunção Simões Guimarães Peçanha Falcão"
).split()
# Area codes where the company works (São Paulo and surroundings), weighted by repetition.
AREA_CODES = ["11"] * 8 + ["12", "13", "15", "19"]
NEIGHBOURHOODS = (
    "Vila Mariana, Moema, Tatuapé, Santana, Pinheiros, Perdizes, Ipiranga, Mooca, Butantã, Lapa, "
    "Santo Amaro, Vila Prudente, Saúde, Jabaquara, Penha, Tucuruvi, Campo Belo, Água Branca, "
    "Brooklin, Itaim Bibi, Aclimação, Bela Vista, Cambuci"
).split(", ")
RELATIVES = ["minha mãe", "meu pai", "minha avó", "meu avô", "minha sogra", "meu marido", "minha tia"]
CONDITIONS = (
    "Alzheimer, mobilidade reduzida, pós-operatório do fêmur, Parkinson, AVC recente, "
    "diabetes e pressão alta, demência leve, recuperação de uma cirurgia cardíaca"
).split(", ")

# What a family writes ({rel}, {cond}, {bairro}, {idade}, {hora} are filled in).
CUSTOMER = [
    "Olá, boa tarde! Preciso de uma cuidadora para {rel}.",
    "Oi, bom dia. Vocês atendem no bairro {bairro}?",
    "{rel} tem {idade} anos e está com {cond}.",
    "Gostaria de saber o valor do plantão de 12 horas.",
    "Quanto fica o serviço de cuidadora noturna?",
    "Ela precisa de ajuda para tomar banho e para se alimentar.",
    "Vocês têm profissional com experiência em {cond}?",
    "A cuidadora pode começar na segunda-feira?",
    "Preciso de alguém das {hora}h às 19h, de segunda a sexta.",
    "Ele faz fisioterapia três vezes por semana, a cuidadora acompanha?",
    "Ok, obrigada!",
    "Certo, vou conversar com meus irmãos e te retorno.",
    "Pode me mandar a proposta por e-mail?",
    "Recebi a proposta, achei um pouco acima do orçamento. Tem desconto para contrato mensal?",
    "A cuidadora de hoje não chegou ainda, o que aconteceu?",
    "Ela chegou, obrigada pelo retorno rápido 🙏",
    "Preciso trocar o plantão de sábado para domingo, é possível?",
    "Bom dia! A cuidadora pode dar os remédios no horário certo?",
    "Qual é o horário de atendimento de vocês?",
    "{rel} caiu ontem à noite, estamos no pronto-socorro. Precisamos de alguém para acompanhar.",
    "Vocês emitem nota fiscal?",
    "Aceitam pagamento por boleto ou só Pix?",
    "Moramos no {bairro}, apartamento no 5º andar com elevador.",
    "A cuidadora precisa dormir no local?",
    "Ele é acamado, precisa de mudança de decúbito a cada duas horas.",
    "Tudo bem, pode agendar a visita de avaliação.",
    "Que horas a enfermeira vem fazer a avaliação?",
    "Obrigado pelo atendimento, vocês foram muito atenciosos.",
    "Desculpa a demora, estava no hospital com {rel}.",
    "Sim",
    "Não, só durante o dia mesmo.",
    "Perfeito! Vamos fechar então.",
    "Ainda não recebi o contrato no e-mail.",
    "Qual o nome da cuidadora que vem amanhã?",
    "Vocês têm cuidador homem? {rel} prefere.",
]
# What an attendant answers.
AGENT = [
    "Olá! Tudo bem? Sou da Carinho com Você e vou te ajudar. Para quem seria o cuidado?",
    "Atendemos sim no {bairro}! Pode me contar um pouco mais sobre a rotina de {rel}?",
    "Entendi. Temos cuidadoras com experiência em {cond}.",
    "O plantão de 12 horas diurno fica a partir de R$ 280,00. Posso te enviar a proposta completa?",
    "Perfeito, vou preparar a proposta e te envio por e-mail ainda hoje.",
    "Proposta enviada! Qualquer dúvida é só me chamar por aqui.",
    "Conseguimos começar na segunda-feira às {hora}h, tudo bem?",
    "Sim, a cuidadora acompanha nas sessões de fisioterapia.",
    "Para contrato mensal conseguimos 8% de desconto.",
    "Sinto muito pelo atraso! Já falei com a coordenação e a cuidadora chega em 20 minutos.",
    "Pode ficar tranquila, a troca do plantão está confirmada.",
    "A cuidadora administra os medicamentos conforme a prescrição médica.",
    "Nosso atendimento é de segunda a sexta das 8h às 18h e aos sábados das 8h às 12h.",
    "Emitimos nota fiscal sim, todo mês junto com o boleto.",
    "Aceitamos Pix, boleto e cartão de crédito.",
    "A visita de avaliação ficou para quinta-feira às {hora}h, com a enfermeira Cláudia.",
    "Vou transferir para a nossa equipe de enfermagem, que vai te orientar melhor.",
    "Obrigada pelo retorno! Ficamos à disposição.",
    "O contrato foi reenviado agora, confira também a caixa de spam, por favor.",
    "Amanhã quem vai é a cuidadora Rosângela, ela já atendeu famílias aqui no {bairro}.",
    "Temos cuidadores homens sim, vou verificar a disponibilidade.",
    "Para a mudança de decúbito indicamos o plantão com técnica de enfermagem.",
    "Pode me confirmar o endereço completo, por favor?",
    "Combinado! Vou registrar aqui e te aviso assim que estiver tudo certo.",
    "Bom dia! Passando para saber como está {rel} com a cuidadora.",
]
NOTES = [
    "Família pediu retorno depois das 18h.",
    "Cliente sensível a preço; oferecer pacote mensal.",
    "Conferir disponibilidade de cuidadora com experiência em {cond}.",
    "Paciente acamado: avaliar necessidade de técnica de enfermagem.",
    "Ligação feita, a filha confirmou a visita de avaliação.",
    "Atenção: reclamação anterior sobre atraso no plantão.",
]
FAILURES = [
    "Z-API recusou o envio: o número não tem WhatsApp.",
    "tentativa 3 falhou: tempo esgotado ao falar com a Z-API",
    "Z-API: instância desconectada do WhatsApp.",
    "A janela de 24 horas terminou: use um modelo aprovado.",
]
ESCALATION_REASONS = [
    "Cliente pediu para falar com a enfermagem.",
    "Caso clínico complexo ({cond}).",
    "Reclamação formal sobre o atendimento.",
    "Pedido de desconto acima da alçada do N1.",
]
EXTRA_LABELS = [
    ("Alzheimer", "#0E7490"),
    ("Pós-operatório", "#9333EA"),
    ("Plantão noturno", "#1D4ED8"),
    ("Indicação", "#15803D"),
    ("Retorno", "#B45309"),
    ("Orçamento", "#BE185D"),
    ("Acamado", "#4338CA"),
]
AGENT_NAMES = (
    "Ana Paula Ribeiro, Bianca Moreira, Carla Fernandes, Daniela Rocha, Elaine Cardoso, "
    "Fabiana Lopes, Gisele Araújo, Heloísa Martins, Isabela Nunes, Jaqueline Prado, "
    "Karina Teixeira, Larissa Mendes, Mônica Freitas, Natália Vieira, Priscila Gomes, "
    "Queila Barbosa, Roberta Dias, Sabrina Costa, Tânia Ramos, Úrsula Machado, Valéria Santana, "
    "Wanessa Alves, Yasmin Carvalho, Zilda Pereira, Aurélio Brandão, Benício Falcão, "
    "Caio Magalhães, Diogo Simões, Emerson Guimarães, Flávio Assunção, Marcos Vinícius Prado, "
    "Regina Célia Andrade, Sônia Maria Peçanha, Otávio Medeiros"
).split(", ")
